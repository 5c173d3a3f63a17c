/* tls_names.h - names of TLS protocol numbers, as IANA registers them and Wireshark shows them. */
#ifndef TLSDIAG_TLS_NAMES_H
#define TLSDIAG_TLS_NAMES_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Every lookup returns a static string, or NULL when the number is not
 * registered (callers print the number then). No lookup allocates.
 */

/* "SSL 2.0", "SSL 3.0", "TLS 1.0" .. "TLS 1.3", "TLS 1.3 (draft 23)" for
 * 0x7f17, "TLS 1.3 (Facebook draft 23)" for 0xfb17, "DTLS 1.2" ... */
const char *tls_version_name(uint16_t version);

/* IANA TLS Cipher Suites registry name, e.g. 0xc02f ->
 * "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", 0x00ff ->
 * "TLS_EMPTY_RENEGOTIATION_INFO_SCSV", 0x5600 -> "TLS_FALLBACK_SCSV". */
const char *tls_cipher_suite_name(uint16_t suite);
/* (The rest of what a suite means, key exchange and record protection: tls_suite.h.) */

/* RFC names in snake_case: 42 -> "bad_certificate", 116 -> "certificate_required". */
const char *tls_alert_name(uint8_t description);
/* Wireshark's display names: 42 -> "Bad Certificate". */
const char *tls_alert_display_name(uint8_t description);
/* 1 -> "warning", 2 -> "fatal". */
const char *tls_alert_level_name(uint8_t level);

/* handshake types (IANA TLS HandshakeType) */
enum {
	HS_HELLO_REQUEST = 0, HS_CLIENT_HELLO = 1, HS_SERVER_HELLO = 2, HS_NEW_SESSION_TICKET = 4,
	HS_END_OF_EARLY_DATA = 5, HS_HELLO_RETRY_REQUEST = 6, HS_ENCRYPTED_EXTENSIONS = 8, HS_CERTIFICATE = 11,
	HS_SERVER_KEY_EXCHANGE = 12, HS_CERTIFICATE_REQUEST = 13, HS_SERVER_HELLO_DONE = 14,
	HS_CERTIFICATE_VERIFY = 15, HS_CLIENT_KEY_EXCHANGE = 16, HS_FINISHED = 20, HS_CERTIFICATE_STATUS = 22,
	HS_KEY_UPDATE = 24
};

/* RFC names in snake_case: 1 -> "client_hello", 13 -> "certificate_request",
 * 2 -> "server_hello". (hello_retry_request is a server_hello in RFC 8446;
 * callers name it themselves.) */
const char *tls_handshake_name(uint8_t type);
/* Wireshark's display names: 1 -> "Client Hello", 13 -> "Certificate Request". */
const char *tls_handshake_display_name(uint8_t type);

/* 20 -> "change_cipher_spec", 21 -> "alert", 22 -> "handshake",
 * 23 -> "application_data", 24 -> "heartbeat". */
const char *tls_content_type_name(uint8_t type);

/* IANA TLS ExtensionType Values: 0 -> "server_name", 43 -> "supported_versions",
 * 65281 -> "renegotiation_info". GREASE values -> "GREASE". */
const char *tls_extension_name(uint16_t type);

/* IANA Supported Groups: 23 -> "secp256r1", 29 -> "x25519", 256 -> "ffdhe2048",
 * 0x11ec -> "X25519MLKEM768". GREASE -> "GREASE". */
const char *tls_group_name(uint16_t group);

/* IANA SignatureScheme: 0x0401 -> "rsa_pkcs1_sha256", 0x0804 ->
 * "rsa_pss_rsae_sha256", 0x0403 -> "ecdsa_secp256r1_sha256"; legacy TLS 1.2
 * (hash, signature) pairs that are not schemes get "sha224_rsa" style names
 * (RFC 5246 §7.4.1.4.1). GREASE -> "GREASE". */
const char *tls_sigscheme_name(uint16_t scheme);

/* ClientCertificateType (RFC 5246 §7.4.4, RFC 4492 §5.5): 1 -> "rsa_sign",
 * 2 -> "dss_sign", 64 -> "ecdsa_sign". */
const char *tls_cert_type_name(uint8_t type);

/* EC point formats (RFC 4492 §5.1.2): 0 -> "uncompressed". */
const char *tls_ec_point_format_name(uint8_t format);

/* PSK key exchange modes (RFC 8446 §4.2.9): 0 -> "psk_ke", 1 -> "psk_dhe_ke". */
const char *tls_psk_mode_name(uint8_t mode);

/* Compression methods: 0 -> "null", 1 -> "DEFLATE". */
const char *tls_compression_name(uint8_t method);

/* RFC 8701: 0x0a0a, 0x1a1a, ... 0xfafa. */
bool tls_is_grease(uint16_t value);

#endif
