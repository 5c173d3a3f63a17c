/* exitcode.h - the exit statuses of tlsdiag, one set for captures and --check-bundle (tlsdiag(1) EXIT STATUS). */
#ifndef TLSDIAG_EXITCODE_H
#define TLSDIAG_EXITCODE_H

enum exit_status {
	EXIT_OK = 0,        /* no error finding */
	EXIT_FINDINGS = 1,  /* at least one error finding */
	EXIT_USAGE = 2,     /* options, input files or the output unusable: no verdict */
};

#endif
