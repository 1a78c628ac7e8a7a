/* The klint executable: a thin shell around the library's command line. */
#include "cli.h"

int main(int argc, char **argv)
{
    return kl_cli_main(argc, argv, stdout, stderr);
}
