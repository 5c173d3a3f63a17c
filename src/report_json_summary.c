/* report_json_summary.c - tlsdiag/2's run members: "inputs" and "summary" (with the captures' "clock"). */
#include "report_json.h"

#include "clockskew.h"
#include "summary.h"

/* A capture's clock, learned from its completed handshakes (clockskew.h):
 * said once per input file (inputs[].clock), and summary.clock is the
 * first input's that has one (the only one with one file). Connections
 * streamed (JSON Lines) before the offset was final are judged by the
 * offset known then: judged_early. */
static void clock_object(struct json *j, const struct clockskew *ck, const char *note)
{
	char nb[32];
	json_key(j, "clock");
	json_object_begin(j);
	json_kv_str(j, "id", "capture-clock-suspect");
	json_kv_int(j, "offset_seconds", clockskew_offset(ck));
	json_kv_int(j, "slack_seconds", CLOCK_SLACK);
	json_kv_uint(j, "completed_handshakes", ck->observed);
	json_kv_uint(j, "not_yet_valid_at_capture_time", ck->ahead);
	json_kv_uint(j, "explained", clockskew_explained(ck));
	x509_format_time(ck->proof->not_before, nb, sizeof nb);
	json_key(j, "proof");
	json_object_begin(j);
	if (ck->proof->file)
		json_kv_str(j, "file", ck->proof->file);
	json_kv_uint(j, "stream", ck->proof->stream);
	json_kv_uint(j, "frame", ck->proof->frame);
	json_kv_str(j, "not_before", nb);
	json_object_end(j);
	json_kv_uint(j, "judged_early", ck->judged_early);
	json_kv_uint(j, "judged_early_not_counted", ck->judged_early_unknown);
	json_kv_str(j, "note", note);
	json_object_end(j);
}

void json_inputs(struct json *j, const struct input_info *in, size_t n_in)
{
	json_key(j, "inputs");
	json_array_begin(j);
	for (size_t i = 0; i < n_in; i++) {
		json_object_begin(j);
		json_kv_str(j, "file", in[i].file);
		json_kv_str(j, "link_type", in[i].link_type);
		json_kv_uint(j, "frames", in[i].frames);
		json_key(j, "error");
		json_string(j, in[i].error);
		if (in[i].clock_note)   /* each capture its own clock (absent: not the suspect) */
			clock_object(j, in[i].clock, in[i].clock_note);
		json_object_end(j);
	}
	json_array_end(j);
}

void json_summary(struct json *j, const struct summary *sum)
{
	json_key(j, "summary");
	json_object_begin(j);
	json_kv_uint(j, "connections", sum->connections);
	json_kv_uint(j, "tls_connections", sum->tls_connections);
	json_kv_uint(j, "completed", sum->outcome[OUTCOME_COMPLETED]);
	json_kv_uint(j, "failed", sum->outcome[OUTCOME_FAILED]);
	json_kv_uint(j, "incomplete", sum->outcome[OUTCOME_INCOMPLETE]);
	json_kv_uint(j, "not_tls", sum->outcome[OUTCOME_NOT_TLS]);
	json_kv_uint(j, "not_tls_left_out", sum->not_tls_left_out);
	json_key(j, "not_tls_left_out_ports");
	json_array_begin(j);
	for (uint32_t i = 0; i < sum->n_not_tls_ports; i++)
		json_uint(j, sum->not_tls_ports[i]);
	json_array_end(j);
	json_kv_uint(j, "packets", sum->packets);
	json_kv_uint(j, "tcp_packets", sum->tcp_packets);
	json_kv_uint(j, "non_tcp_packets", sum->non_tcp_packets);
	json_kv_uint(j, "truncated_packets", sum->truncated_packets);
	json_kv_uint(j, "invalid_packets", sum->invalid_packets);
	json_kv_uint(j, "ip_fragments", sum->ip_fragments);
	json_kv_uint(j, "ip_datagrams_dropped", sum->ip_datagrams_dropped);
	json_kv_uint(j, "flows_expired", sum->flows_expired);
	json_kv_uint(j, "flows_evicted", sum->flows_evicted);
	json_kv_uint(j, "flows_evicted_for_memory", sum->flows_evicted_for_memory);
	if (sum->stop_after)   /* -c N: what the stop cut off is left out, not failed */
		json_kv_uint(j, "cut_off_by_stop", sum->cut_by_stop);
	if (sum->live)   /* counted in failed: their reports said completed */
		json_kv_uint(j, "failed_after_report", sum->failed_after_report);
	/* each distinct certificate is parsed once; the cache answers the repeats */
	json_kv_uint(j, "certificates_parsed", sum->certificates_parsed);
	json_kv_uint(j, "certificate_cache_hits", sum->certificate_cache_hits);
	json_kv_uint(j, "with_error", sum->with_error);
	json_kv_uint(j, "with_warning", sum->with_warning);
	if (sum->trust_note)
		json_kv_str(j, "trust_note", sum->trust_note);
	if (sum->clock_note)
		clock_object(j, sum->clock, sum->clock_note);
	if (sum->live) {
		json_key(j, "capture");
		json_object_begin(j);
		json_kv_uint(j, "received", sum->pcap_received);
		json_kv_uint(j, "dropped", sum->pcap_dropped);
		json_kv_uint(j, "interface_dropped", sum->pcap_if_dropped);
		json_object_end(j);
	}
	if (sum->written_file) {
		json_key(j, "written");
		json_object_begin(j);
		json_kv_str(j, "file", sum->written_file);
		json_kv_uint(j, "packets", sum->packets_written);
		if (sum->secrets_written)
			json_kv_uint(j, "connections_with_secrets", sum->secret_blocks);
		json_object_end(j);
	}
	json_key(j, "findings");
	json_object_begin(j);
	for (uint32_t i = 0; i < sum->n_ids; i++)
		json_kv_uint(j, sum->by_id[i].id, sum->by_id[i].connections);
	json_object_end(j);
	json_key(j, "servers");
	json_array_begin(j);
	for (uint32_t i = 0; i < sum->n_servers; i++) {
		const struct server_stat *v = &sum->servers[i];
		json_object_begin(j);
		json_kv_str(j, "server", v->endpoint);
		json_kv_str(j, "sni", v->sni[0] ? v->sni : NULL);
		json_kv_uint(j, "connections", v->connections);
		json_kv_uint(j, "failed", v->failed);
		json_kv_uint(j, "with_error", v->with_error);
		json_object_end(j);
	}
	json_array_end(j);
	json_object_end(j);
}
