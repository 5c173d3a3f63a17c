/* tls_names.c - names of TLS protocol numbers (see tls_names.h). */
#include "tls_names.h"

#include <stddef.h>

#include "tls_suite.h"

/*
 * Sources: the IANA "Transport Layer Security (TLS) Parameters" and "TLS
 * ExtensionType Values" registries, and, for the display names, the names
 * Wireshark's TLS dissector prints. Every table here is written out by hand.
 *
 * Sparse 16-bit registries are switch statements: a duplicated value is a
 * compile error (C11 6.8.4.2), no ordering is needed, and the compiler builds
 * the jump table or decision tree. Small 8-bit registries are arrays indexed
 * by value. Nothing is allocated and nothing is initialised at run time.
 * Cipher suites, whose table says more than a name, are in tls_suite.c.
 */

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* RFC 8701 §2: 0x0A0A, 0x1A1A, ... 0xFAFA. */
bool tls_is_grease(uint16_t value)
{
	return (value & 0x0f0fu) == 0x0a0au && (value >> 8) == (value & 0xffu);
}

/* ------------------------------------------------------------------ */
/* Protocol versions                                                   */
/* ------------------------------------------------------------------ */

/* 0x7f00 | n: the version numbers of draft-ietf-tls-tls13-n. */
static const char *const tls13_draft_names[] = {
	"TLS 1.3 (draft 0)", "TLS 1.3 (draft 1)", "TLS 1.3 (draft 2)",
	"TLS 1.3 (draft 3)", "TLS 1.3 (draft 4)", "TLS 1.3 (draft 5)",
	"TLS 1.3 (draft 6)", "TLS 1.3 (draft 7)", "TLS 1.3 (draft 8)",
	"TLS 1.3 (draft 9)", "TLS 1.3 (draft 10)", "TLS 1.3 (draft 11)",
	"TLS 1.3 (draft 12)", "TLS 1.3 (draft 13)", "TLS 1.3 (draft 14)",
	"TLS 1.3 (draft 15)", "TLS 1.3 (draft 16)", "TLS 1.3 (draft 17)",
	"TLS 1.3 (draft 18)", "TLS 1.3 (draft 19)", "TLS 1.3 (draft 20)",
	"TLS 1.3 (draft 21)", "TLS 1.3 (draft 22)", "TLS 1.3 (draft 23)",
	"TLS 1.3 (draft 24)", "TLS 1.3 (draft 25)", "TLS 1.3 (draft 26)",
	"TLS 1.3 (draft 27)", "TLS 1.3 (draft 28)",
};

const char *tls_version_name(uint16_t version)
{
	switch (version) {
	case 0x0002: return "SSL 2.0";
	case 0x0300: return "SSL 3.0";                  /* RFC 6101 */
	case 0x0301: return "TLS 1.0";                  /* RFC 2246 */
	case 0x0302: return "TLS 1.1";                  /* RFC 4346 */
	case 0x0303: return "TLS 1.2";                  /* RFC 5246 */
	case 0x0304: return "TLS 1.3";                  /* RFC 8446 */
	/* Facebook's Fizz, before RFC 8446, on its own code points. */
	case 0xfb17: return "TLS 1.3 (Facebook draft 23)";
	case 0xfb1a: return "TLS 1.3 (Facebook draft 26)";
	case 0x0100: return "DTLS 1.0 (OpenSSL pre 0.9.8f)";
	case 0xfeff: return "DTLS 1.0";                 /* RFC 4347 */
	case 0xfefd: return "DTLS 1.2";                 /* RFC 6347 */
	case 0xfefc: return "DTLS 1.3";                 /* RFC 9147 */
	default: break;
	}
	if ((version & 0xff00u) == 0x7f00u && (version & 0xffu) < ARRAY_LEN(tls13_draft_names))
		return tls13_draft_names[version & 0xffu];
	return NULL;   /* includes GREASE (RFC 8701): callers test tls_is_grease() */
}

/* ------------------------------------------------------------------ */
/* Cipher suites                                                       */
/* ------------------------------------------------------------------ */

/* GREASE values (RFC 8701) are not registry entries; they get "GREASE" here
 * as in the extension, group and signature scheme lookups. */
const char *tls_cipher_suite_name(uint16_t suite)
{
	if (tls_is_grease(suite))
		return "GREASE";
	const struct tls_suite *s = tls_suite_find(suite);
	return s ? s->name : NULL;
}

/* ------------------------------------------------------------------ */
/* Alerts (IANA TLS Alerts; RFC 8446 §6, RFC 5246 §7.2)                */
/* ------------------------------------------------------------------ */

struct two_names {
	const char *name;       /* as the RFC / IANA writes it */
	const char *display;    /* as Wireshark shows it */
};

static const struct two_names alerts[] = {
	[0]   = { "close_notify", "Close Notify" },
	[10]  = { "unexpected_message", "Unexpected Message" },
	[20]  = { "bad_record_mac", "Bad Record MAC" },
	[21]  = { "decryption_failed", "Decryption Failed" },
	[22]  = { "record_overflow", "Record Overflow" },
	[30]  = { "decompression_failure", "Decompression Failure" },
	[40]  = { "handshake_failure", "Handshake Failure" },
	[41]  = { "no_certificate", "No Certificate" },
	[42]  = { "bad_certificate", "Bad Certificate" },
	[43]  = { "unsupported_certificate", "Unsupported Certificate" },
	[44]  = { "certificate_revoked", "Certificate Revoked" },
	[45]  = { "certificate_expired", "Certificate Expired" },
	[46]  = { "certificate_unknown", "Certificate Unknown" },
	[47]  = { "illegal_parameter", "Illegal Parameter" },
	[48]  = { "unknown_ca", "Unknown CA" },
	[49]  = { "access_denied", "Access Denied" },
	[50]  = { "decode_error", "Decode Error" },
	[51]  = { "decrypt_error", "Decrypt Error" },
	/* RFC 9147; Wireshark has no name for it, so one in its style: */
	[52]  = { "too_many_cids_requested", "Too Many CIDs Requested" },
	[60]  = { "export_restriction", "Export Restriction" },
	[70]  = { "protocol_version", "Protocol Version" },
	[71]  = { "insufficient_security", "Insufficient Security" },
	[80]  = { "internal_error", "Internal Error" },
	[86]  = { "inappropriate_fallback", "Inappropriate Fallback" },   /* RFC 7507 */
	[90]  = { "user_canceled", "User Canceled" },
	[100] = { "no_renegotiation", "No Renegotiation" },
	[109] = { "missing_extension", "Missing Extension" },             /* RFC 8446 */
	[110] = { "unsupported_extension", "Unsupported Extension" },
	[111] = { "certificate_unobtainable", "Certificate Unobtainable" }, /* RFC 6066 */
	[112] = { "unrecognized_name", "Unrecognized Name" },
	[113] = { "bad_certificate_status_response", "Bad Certificate Status Response" },
	[114] = { "bad_certificate_hash_value", "Bad Certificate Hash Value" },
	[115] = { "unknown_psk_identity", "Unknown PSK Identity" },       /* RFC 4279 */
	[116] = { "certificate_required", "Certificate Required" },       /* RFC 8446 */
	/* RFC 7301. The lower-case "a" is Wireshark's own spelling. */
	[120] = { "no_application_protocol", "No application Protocol" },
	[121] = { "ech_required", "ECH Required" },                       /* draft-ietf-tls-esni */
};

const char *tls_alert_name(uint8_t description)
{
	return description < ARRAY_LEN(alerts) ? alerts[description].name : NULL;
}

const char *tls_alert_display_name(uint8_t description)
{
	return description < ARRAY_LEN(alerts) ? alerts[description].display : NULL;
}

/* RFC 5246 §7.2 AlertLevel */
const char *tls_alert_level_name(uint8_t level)
{
	switch (level) {
	case 1: return "warning";
	case 2: return "fatal";
	default: return NULL;
	}
}

/* ------------------------------------------------------------------ */
/* Handshake types (IANA TLS HandshakeType)                            */
/* ------------------------------------------------------------------ */

/* IANA marks the TLS 1.2-only types "_RESERVED"; the names here are the
 * RFC's, without that suffix. Display names for 9, 10, 17, 26 and 254, which
 * Wireshark does not name, follow its style. */
static const struct two_names handshakes[] = {
	[0]   = { "hello_request", "Hello Request" },
	[1]   = { "client_hello", "Client Hello" },
	[2]   = { "server_hello", "Server Hello" },
	[3]   = { "hello_verify_request", "Hello Verify Request" },        /* RFC 6347 */
	[4]   = { "new_session_ticket", "New Session Ticket" },            /* RFC 5077 */
	[5]   = { "end_of_early_data", "End of Early Data" },              /* RFC 8446 */
	[6]   = { "hello_retry_request", "Hello Retry Request" },          /* TLS 1.3 drafts */
	[8]   = { "encrypted_extensions", "Encrypted Extensions" },        /* RFC 8446 */
	[9]   = { "request_connection_id", "Request Connection ID" },      /* RFC 9147 */
	[10]  = { "new_connection_id", "New Connection ID" },              /* RFC 9147 */
	[11]  = { "certificate", "Certificate" },
	[12]  = { "server_key_exchange", "Server Key Exchange" },
	[13]  = { "certificate_request", "Certificate Request" },
	[14]  = { "server_hello_done", "Server Hello Done" },
	[15]  = { "certificate_verify", "Certificate Verify" },
	[16]  = { "client_key_exchange", "Client Key Exchange" },
	[17]  = { "client_certificate_request", "Client Certificate Request" }, /* RFC 9261 */
	[20]  = { "finished", "Finished" },
	[21]  = { "certificate_url", "Client Certificate URL" },           /* RFC 6066 */
	[22]  = { "certificate_status", "Certificate Status" },            /* RFC 6066 */
	[23]  = { "supplemental_data", "Supplemental Data" },              /* RFC 4680 */
	[24]  = { "key_update", "Key Update" },                            /* RFC 8446 */
	[25]  = { "compressed_certificate", "Compressed Certificate" },    /* RFC 8879 */
	[26]  = { "ekt_key", "EKT Key" },                                  /* RFC 8870 */
	[254] = { "message_hash", "Message Hash" },                        /* RFC 8446 §4.4.1 */
};

const char *tls_handshake_name(uint8_t type)
{
	return type < ARRAY_LEN(handshakes) ? handshakes[type].name : NULL;
}

const char *tls_handshake_display_name(uint8_t type)
{
	return type < ARRAY_LEN(handshakes) ? handshakes[type].display : NULL;
}

/* ------------------------------------------------------------------ */
/* Record content types (IANA TLS ContentType)                         */
/* ------------------------------------------------------------------ */

const char *tls_content_type_name(uint8_t type)
{
	switch (type) {
	case 20: return "change_cipher_spec";
	case 21: return "alert";
	case 22: return "handshake";
	case 23: return "application_data";
	case 24: return "heartbeat";            /* RFC 6520 */
	case 25: return "tls12_cid";            /* RFC 9146 */
	case 26: return "ACK";                  /* RFC 9147; IANA writes it upper-case */
	default: return NULL;
	}
}

/* ------------------------------------------------------------------ */
/* Extensions (IANA TLS ExtensionType Values)                          */
/* ------------------------------------------------------------------ */

const char *tls_extension_name(uint16_t type)
{
	switch (type) {
	case 0: return "server_name";                           /* RFC 6066 */
	case 1: return "max_fragment_length";                   /* RFC 6066 */
	case 2: return "client_certificate_url";                /* RFC 6066 */
	case 3: return "trusted_ca_keys";                       /* RFC 6066 */
	case 4: return "truncated_hmac";                        /* RFC 6066 */
	case 5: return "status_request";                        /* RFC 6066 */
	case 6: return "user_mapping";                          /* RFC 4681 */
	case 7: return "client_authz";                          /* RFC 5878 */
	case 8: return "server_authz";                          /* RFC 5878 */
	case 9: return "cert_type";                             /* RFC 6091 */
	case 10: return "supported_groups";                     /* RFC 8422, RFC 7919 */
	case 11: return "ec_point_formats";                     /* RFC 8422 */
	case 12: return "srp";                                  /* RFC 5054 */
	case 13: return "signature_algorithms";                 /* RFC 8446 */
	case 14: return "use_srtp";                             /* RFC 5764 */
	case 15: return "heartbeat";                            /* RFC 6520 */
	case 16: return "application_layer_protocol_negotiation"; /* RFC 7301 */
	case 17: return "status_request_v2";                    /* RFC 6961 */
	case 18: return "signed_certificate_timestamp";         /* RFC 6962 */
	case 19: return "client_certificate_type";              /* RFC 7250 */
	case 20: return "server_certificate_type";              /* RFC 7250 */
	case 21: return "padding";                              /* RFC 7685 */
	case 22: return "encrypt_then_mac";                     /* RFC 7366 */
	case 23: return "extended_master_secret";               /* RFC 7627 */
	case 24: return "token_binding";                        /* RFC 8472 */
	case 25: return "cached_info";                          /* RFC 7924 */
	case 26: return "tls_lts";
	case 27: return "compress_certificate";                 /* RFC 8879 */
	case 28: return "record_size_limit";                    /* RFC 8449 */
	case 29: return "pwd_protect";                          /* RFC 8492 */
	case 30: return "pwd_clear";                            /* RFC 8492 */
	case 31: return "password_salt";                        /* RFC 8492 */
	case 32: return "ticket_pinning";                       /* RFC 8672 */
	case 33: return "tls_cert_with_extern_psk";             /* RFC 8773 */
	case 34: return "delegated_credential";                 /* RFC 9345 */
	case 35: return "session_ticket";                       /* RFC 5077, RFC 8447 */
	case 36: return "TLMSP";                                /* ETSI TS 103 523-2 */
	case 37: return "TLMSP_proxying";
	case 38: return "TLMSP_delegate";
	case 39: return "supported_ekt_ciphers";                /* RFC 8870 */
	/* 40 and 46: "Reserved" (used by TLS 1.3 drafts) */
	case 41: return "pre_shared_key";                       /* RFC 8446 */
	case 42: return "early_data";                           /* RFC 8446 */
	case 43: return "supported_versions";                   /* RFC 8446 */
	case 44: return "cookie";                               /* RFC 8446 */
	case 45: return "psk_key_exchange_modes";               /* RFC 8446 */
	case 47: return "certificate_authorities";              /* RFC 8446 */
	case 48: return "oid_filters";                          /* RFC 8446 */
	case 49: return "post_handshake_auth";                  /* RFC 8446 */
	case 50: return "signature_algorithms_cert";            /* RFC 8446 */
	case 51: return "key_share";                            /* RFC 8446 */
	case 52: return "transparency_info";                    /* RFC 9162 */
	case 53: return "connection_id (deprecated)";           /* RFC 9146; IANA's text */
	case 54: return "connection_id";                        /* RFC 9146 */
	case 55: return "external_id_hash";                     /* RFC 8844 */
	case 56: return "external_session_id";                  /* RFC 8844 */
	case 57: return "quic_transport_parameters";            /* RFC 9001 */
	case 58: return "ticket_request";                       /* RFC 9149 */
	case 59: return "dnssec_chain";                         /* RFC 9102 */
	case 60: return "sequence_number_encryption_algorithms"; /* draft-pismenny-tls-dtls-plaintext-sequence-number */
	case 61: return "rrc";                                  /* draft-ietf-tls-dtls-rrc */
	case 62: return "tls_flags";                            /* draft-ietf-tls-tlsflags */
	case 64768: return "ech_outer_extensions";              /* 0xFD00, draft-ietf-tls-esni */
	case 65037: return "encrypted_client_hello";            /* 0xFE0D, draft-ietf-tls-esni */
	case 65281: return "renegotiation_info";                /* 0xFF01, RFC 5746 */
	default: break;
	}
	return tls_is_grease(type) ? "GREASE" : NULL;
}

/* ------------------------------------------------------------------ */
/* Supported groups (IANA TLS Supported Groups)                        */
/* ------------------------------------------------------------------ */

const char *tls_group_name(uint16_t group)
{
	switch (group) {
	/* RFC 8422 (was RFC 4492); 1-22 are deprecated */
	case 1: return "sect163k1";
	case 2: return "sect163r1";
	case 3: return "sect163r2";
	case 4: return "sect193r1";
	case 5: return "sect193r2";
	case 6: return "sect233k1";
	case 7: return "sect233r1";
	case 8: return "sect239k1";
	case 9: return "sect283k1";
	case 10: return "sect283r1";
	case 11: return "sect409k1";
	case 12: return "sect409r1";
	case 13: return "sect571k1";
	case 14: return "sect571r1";
	case 15: return "secp160k1";
	case 16: return "secp160r1";
	case 17: return "secp160r2";
	case 18: return "secp192k1";
	case 19: return "secp192r1";
	case 20: return "secp224k1";
	case 21: return "secp224r1";
	case 22: return "secp256k1";
	case 23: return "secp256r1";
	case 24: return "secp384r1";
	case 25: return "secp521r1";
	/* RFC 7027 */
	case 26: return "brainpoolP256r1";
	case 27: return "brainpoolP384r1";
	case 28: return "brainpoolP512r1";
	/* RFC 8422, RFC 8446 */
	case 29: return "x25519";
	case 30: return "x448";
	/* RFC 8734 */
	case 31: return "brainpoolP256r1tls13";
	case 32: return "brainpoolP384r1tls13";
	case 33: return "brainpoolP512r1tls13";
	/* RFC 9189 */
	case 34: return "GC256A";
	case 35: return "GC256B";
	case 36: return "GC256C";
	case 37: return "GC256D";
	case 38: return "GC512A";
	case 39: return "GC512B";
	case 40: return "GC512C";
	/* RFC 8998 */
	case 41: return "curveSM2";
	/* RFC 7919 */
	case 256: return "ffdhe2048";
	case 257: return "ffdhe3072";
	case 258: return "ffdhe4096";
	case 259: return "ffdhe6144";
	case 260: return "ffdhe8192";
	/* draft-ietf-tls-mlkem */
	case 0x0200: return "MLKEM512";
	case 0x0201: return "MLKEM768";
	case 0x0202: return "MLKEM1024";
	/* draft-ietf-tls-ecdhe-mlkem */
	case 0x11EB: return "SecP256r1MLKEM768";
	case 0x11EC: return "X25519MLKEM768";
	case 0x11ED: return "SecP384r1MLKEM1024";
	/* draft-tls-westerbaan-xyber768d00, draft-kwiatkowski-tls-ecdhe-kyber
	 * (IANA marks both obsolete) */
	case 0x6399: return "X25519Kyber768Draft00";
	case 0x639A: return "SecP256r1Kyber768Draft00";
	/* RFC 8422 */
	case 0xFF01: return "arbitrary_explicit_prime_curves";
	case 0xFF02: return "arbitrary_explicit_char2_curves";
	default: break;
	}
	return tls_is_grease(group) ? "GREASE" : NULL;
}

/* ------------------------------------------------------------------ */
/* Signature schemes (IANA TLS SignatureScheme; RFC 8446 §4.2.3)        */
/* ------------------------------------------------------------------ */

/* RFC 5246 §7.4.1.4.1: HashAlgorithm 1-6 (md5 .. sha512) crossed with
 * SignatureAlgorithm 1-3 (rsa, dsa, ecdsa), for the pairs that are not
 * signature schemes. Indexed [hash - 1][signature - 1]. */
static const char *const legacy_pairs[6][3] = {
	{ "md5_rsa", "md5_dsa", "md5_ecdsa" },
	{ NULL /* rsa_pkcs1_sha1 */, "sha1_dsa", NULL /* ecdsa_sha1 */ },
	{ "sha224_rsa", "sha224_dsa", "sha224_ecdsa" },
	{ NULL /* rsa_pkcs1_sha256 */, "sha256_dsa", NULL /* ecdsa_secp256r1_sha256 */ },
	{ NULL /* rsa_pkcs1_sha384 */, "sha384_dsa", NULL /* ecdsa_secp384r1_sha384 */ },
	{ NULL /* rsa_pkcs1_sha512 */, "sha512_dsa", NULL /* ecdsa_secp521r1_sha512 */ },
};

const char *tls_sigscheme_name(uint16_t scheme)
{
	switch (scheme) {
	/* RFC 8446 */
	case 0x0201: return "rsa_pkcs1_sha1";
	case 0x0203: return "ecdsa_sha1";
	case 0x0401: return "rsa_pkcs1_sha256";
	case 0x0403: return "ecdsa_secp256r1_sha256";
	case 0x0501: return "rsa_pkcs1_sha384";
	case 0x0503: return "ecdsa_secp384r1_sha384";
	case 0x0601: return "rsa_pkcs1_sha512";
	case 0x0603: return "ecdsa_secp521r1_sha512";
	/* draft-ietf-tls-tls13-pkcs1 */
	case 0x0420: return "rsa_pkcs1_sha256_legacy";
	case 0x0520: return "rsa_pkcs1_sha384_legacy";
	case 0x0620: return "rsa_pkcs1_sha512_legacy";
	/* draft-wang-tls-raw-public-key-with-ibc */
	case 0x0704: return "eccsi_sha256";
	case 0x0705: return "iso_ibs1";
	case 0x0706: return "iso_ibs2";
	case 0x0707: return "iso_chinese_ibs";
	/* RFC 8998 */
	case 0x0708: return "sm2sig_sm3";
	/* RFC 9367 */
	case 0x0709: return "gostr34102012_256a";
	case 0x070A: return "gostr34102012_256b";
	case 0x070B: return "gostr34102012_256c";
	case 0x070C: return "gostr34102012_256d";
	case 0x070D: return "gostr34102012_512a";
	case 0x070E: return "gostr34102012_512b";
	case 0x070F: return "gostr34102012_512c";
	/* RFC 8446 */
	case 0x0804: return "rsa_pss_rsae_sha256";
	case 0x0805: return "rsa_pss_rsae_sha384";
	case 0x0806: return "rsa_pss_rsae_sha512";
	case 0x0807: return "ed25519";
	case 0x0808: return "ed448";
	case 0x0809: return "rsa_pss_pss_sha256";
	case 0x080A: return "rsa_pss_pss_sha384";
	case 0x080B: return "rsa_pss_pss_sha512";
	/* RFC 8734 */
	case 0x081A: return "ecdsa_brainpoolP256r1tls13_sha256";
	case 0x081B: return "ecdsa_brainpoolP384r1tls13_sha384";
	case 0x081C: return "ecdsa_brainpoolP512r1tls13_sha512";
	/* draft-ietf-tls-mldsa */
	case 0x0904: return "mldsa44";
	case 0x0905: return "mldsa65";
	case 0x0906: return "mldsa87";
	default: break;
	}
	if (tls_is_grease(scheme))
		return "GREASE";
	{
		unsigned hash = scheme >> 8;
		unsigned sig = scheme & 0xffu;

		if (hash >= 1 && hash <= 6 && sig >= 1 && sig <= 3)
			return legacy_pairs[hash - 1][sig - 1];
	}
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Small registries                                                    */
/* ------------------------------------------------------------------ */

/* IANA TLS ClientCertificateType Identifiers (RFC 5246 §7.4.4, RFC 8422
 * §5.5, RFC 9189). */
static const char *const cert_types[] = {
	[1]  = "rsa_sign",
	[2]  = "dss_sign",
	[3]  = "rsa_fixed_dh",
	[4]  = "dss_fixed_dh",
	[5]  = "rsa_ephemeral_dh_RESERVED",
	[6]  = "dss_ephemeral_dh_RESERVED",
	[20] = "fortezza_dms_RESERVED",
	[64] = "ecdsa_sign",
	[65] = "rsa_fixed_ecdh",
	[66] = "ecdsa_fixed_ecdh",
	[67] = "gost_sign256",
	[68] = "gost_sign512",
};

const char *tls_cert_type_name(uint8_t type)
{
	return type < ARRAY_LEN(cert_types) ? cert_types[type] : NULL;
}

/* IANA TLS EC Point Formats (RFC 8422 §5.1.2) */
const char *tls_ec_point_format_name(uint8_t format)
{
	switch (format) {
	case 0: return "uncompressed";
	case 1: return "ansiX962_compressed_prime";
	case 2: return "ansiX962_compressed_char2";
	default: return NULL;
	}
}

/* IANA TLS PskKeyExchangeMode (RFC 8446 §4.2.9) */
const char *tls_psk_mode_name(uint8_t mode)
{
	switch (mode) {
	case 0: return "psk_ke";
	case 1: return "psk_dhe_ke";
	default: return NULL;
	}
}

/* IANA TLS Compression Method Identifiers (RFC 3749, RFC 3943) */
const char *tls_compression_name(uint8_t method)
{
	switch (method) {
	case 0: return "null";
	case 1: return "DEFLATE";
	case 64: return "LZS";
	default: return NULL;
	}
}
