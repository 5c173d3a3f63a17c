/* unit_main.c - runs every CUnit suite; exit status 1 on any failure. */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <string.h>

#include "unit.h"

int main(int argc, char **argv)
{
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	register_tls_names_tests();
	register_tls_suite_tests();
	register_rd_tests();
	register_pcapfile_tests();
	register_pcapng_tests();
	register_decode_tests();
	register_ipfrag_tests();
	register_mem_tests();
	register_flow_tests();
	register_tcp_reasm_tests();
	register_tls_record_tests();
	register_tls_handshake_tests();
	register_tls_conn_tests();
	register_x509_tests();
	register_json_tests();
	register_diagnose_tests();
	register_summary_tests();
	register_clockskew_tests();
	register_reporter_tests();
	register_problems_tests();
	register_html_tests();
	register_keylog_tests();
	register_decrypt_tests();
	register_fingerprint_tests();
	register_tls13_infer_tests();
	register_after_report_tests();
	register_starttls_tests();
	register_http2_tests();
	CU_basic_set_mode(argc > 1 && strcmp(argv[1], "-v") == 0 ? CU_BRM_VERBOSE : CU_BRM_NORMAL);
	CU_basic_run_tests();
	unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	return failed ? 1 : 0;
}
