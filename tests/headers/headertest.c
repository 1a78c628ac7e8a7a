/*
 * The public headers compile on their own, in strict ISO C11, in any order:
 * a user's program includes them without klint's build flags.
 */
#include "klint/rules.h"
#include "klint/lint.h"
#include "klint/print.h"
#include "klint/path.h"
#include "klint/json.h"
#include "klint/diag.h"
#include "klint/source.h"
#include "klint/common.h"
#include "klint.h"

int main(void)
{
    return KL_OK;
}
