/*
 * klint: an offline validator and linter for video-generation API
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
#include "klint/rules.h"

#endif
