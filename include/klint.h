/*
 * klint: an offline validator and linter for Kling 3.0 / Kling 3.0 Omni
 * request payloads. Umbrella header: the CLI, the LSP server and the tests
 * include only this.
 */
#ifndef KLINT_H
#define KLINT_H

#include "klint/common.h"
#include "klint/source.h"
#include "klint/diag.h"
#include "klint/json.h"
#include "klint/path.h"
#include "klint/print.h"
#include "klint/lint.h"

#endif
