#!/usr/bin/env node
// The `icp-cancel` command: a plain-JavaScript launcher so that `npx icp-cancel` runs on Node 20 without a build
// step. tsx (a runtime dependency) compiles the TypeScript entry on the fly; `tsImport` scopes its loader to this
// import instead of registering it for the whole process.
import { tsImport } from 'tsx/esm/api';

await tsImport('./icp-cancel.ts', import.meta.url);
