/* The klint executable: a thin shell around the library's command line. */
#include <stdio.h>
#include <unistd.h>

#include "cli.h"

int main(int argc, char **argv)
{
    /* Reports to a file or a pipe go out in large blocks; a terminal keeps
     * line buffering. The CLI flushes stdout before writing to stderr. */
    if (!isatty(STDOUT_FILENO))
        setvbuf(stdout, NULL, _IOFBF, (size_t)1 << 16);
    return kl_cli_main(argc, argv, stdout, stderr);
}
