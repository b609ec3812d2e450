import {
  HELP,
  applyOverrides,
  clock,
  pipelineOptions,
  run
} from "./chunk-JZDO5WIW.js";
import "./chunk-IEWX2NAL.js";
import "./chunk-Q3ZXJRKN.js";
import "./chunk-UPYNSUOV.js";
import "./chunk-L7I5STNP.js";
import "./chunk-5EWEZ3TV.js";
import "./chunk-IACGGMK5.js";
import "./chunk-CSDMBHJD.js";
import "./chunk-XXK4KJ5C.js";
import "./chunk-NH2BR72R.js";
import "./chunk-URTPPSHB.js";
export {
  HELP,
  applyOverrides,
  clock,
  pipelineOptions,
  run
};
