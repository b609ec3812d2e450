import {
  buildDeb,
  changelogText,
  copyrightText,
  dpkgOrder,
  installedSize,
  normaliseDataPath,
  openDeb,
  readDeb,
  readDebFrom,
  rewriteDebFrom,
  rewriteDebVersion
} from "./chunk-L7I5STNP.js";
import "./chunk-IACGGMK5.js";
import "./chunk-NH2BR72R.js";
import "./chunk-URTPPSHB.js";
export {
  buildDeb,
  changelogText,
  copyrightText,
  dpkgOrder,
  installedSize,
  normaliseDataPath,
  openDeb,
  readDeb,
  readDebFrom,
  rewriteDebFrom,
  rewriteDebVersion
};
