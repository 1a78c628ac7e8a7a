/* Placeholder: being written. */
#include "klint.h"
