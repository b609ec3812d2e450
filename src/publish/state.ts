/** The state moved to src/state/ (an SQLite database); this name stays for the modules that import it. */
export * from "../state/state.js";
