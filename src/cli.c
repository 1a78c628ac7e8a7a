/* Placeholder: being written. */
#include "cli.h"

int kl_cli_main(int argc, char **argv, FILE *out, FILE *err)
{
    (void)argc;
    (void)argv;
    (void)out;
    fputs("klint: not built yet\n", err);
    return KL_EXIT_INTERNAL;
}
