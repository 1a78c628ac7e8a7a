#include "klint/common.h"
#include "klint/diag.h"

#include <string.h>

const char *kl_error_str(int error)
{
    switch (error) {
    case KL_OK: return "success";
    case KL_ENOMEM: return "out of memory";
    case KL_EIO: return "input/output error";
    case KL_EUSAGE: return "invalid usage";
    case KL_ETOOBIG: return "input too large (over 4 GiB)";
    case KL_EINTERNAL: return "internal error";
    default: return "unknown error";
    }
}

const char *kl_severity_name(kl_severity sev)
{
    switch (sev) {
    case KL_SEV_ERROR: return "error";
    case KL_SEV_WARNING: return "warning";
    case KL_SEV_INFO: return "info";
    }
    return "error";
}

bool kl_severity_parse(const char *name, kl_severity *out)
{
    static const struct {
        const char *name;
        kl_severity sev;
    } table[] = {
        {"error", KL_SEV_ERROR},
        {"warning", KL_SEV_WARNING},
        {"info", KL_SEV_INFO},
    };
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        if (strcmp(name, table[i].name) == 0) {
            *out = table[i].sev;
            return true;
        }
    }
    return false;
}
