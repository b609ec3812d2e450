import {
  MAX_ATTEMPTS,
  StorageAccessError,
  StorageError,
  codeOf,
  makeClient,
  s3Error,
  statusOf
} from "./chunk-3MU5EROY.js";
import "./chunk-URTPPSHB.js";
export {
  MAX_ATTEMPTS,
  StorageAccessError,
  StorageError,
  codeOf,
  makeClient,
  s3Error,
  statusOf
};
