/* unit.h - the CUnit suites, one per module; unit_main.c runs them all. */
#ifndef TLSDIAG_UNIT_H
#define TLSDIAG_UNIT_H

#include <CUnit/CUnit.h>

void register_tls_names_tests(void);

#endif
