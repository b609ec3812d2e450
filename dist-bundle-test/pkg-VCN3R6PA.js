import {
  buildPkg,
  checkMemberName,
  parseFreebsdDep,
  readPkg,
  rewritePkgVersion
} from "./chunk-5EWEZ3TV.js";
import "./chunk-IACGGMK5.js";
import "./chunk-NH2BR72R.js";
import "./chunk-URTPPSHB.js";
export {
  buildPkg,
  checkMemberName,
  parseFreebsdDep,
  readPkg,
  rewritePkgVersion
};
