#!/bin/sh
# make-bundles.sh - regenerate the --check-bundle fixtures: a throw-away PKI with fixed dates.
#
#   tests/bundles/make-bundles.sh        (needs the openssl command, 3.0 or later)
#
# The fixtures are committed, so `make check` does not need openssl. Keys are
# random, so after running this the golden files must be regenerated too:
#   tests/bundle.sh --update
# Every validity date is fixed; the tests judge them at --at 2026-11-23, so
# no result depends on the day the tests run. Nothing here is secret: the
# keys exist only to be tested against.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

mkdir db
: >db/index.txt
echo 1000 >db/serial

cat >ca.cnf <<'EOF'
[ ca ]
default_ca = CA_default
[ CA_default ]
dir = .
database = ./db/index.txt
serial = ./db/serial
new_certs_dir = ./db
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none
email_in_dn = no
[ policy_any ]
commonName = supplied
organizationName = optional
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = unused
[ v3_root ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ v3_inter ]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ v3_leaf ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = $ENV::SAN
[ v3_leaf_nosan ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ v3_selfsigned ]
# what openssl req -x509 makes with the default configuration: CA:TRUE
basicConstraints = critical, CA:TRUE
subjectKeyIdentifier = hash
subjectAltName = $ENV::SAN
EOF
export SAN=DNS:unused

rsa() { openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:"${2:-2048}" -out "$1.key" 2>/dev/null; }
ec() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" 2>/dev/null; }

# sign NAME CN ISSUER EXT START END [MD]   (ISSUER "self": self-signed)
sign() {
	openssl req -config ca.cnf -new -key "$1.key" -subj "/O=tlsdiag tests/CN=$2" -out "$1.csr"
	if [ "$3" = self ]; then
		openssl ca -config ca.cnf -batch -notext -selfsign -keyfile "$1.key" -in "$1.csr" -out "$1.pem" \
			-extensions "$4" -startdate "$5" -enddate "$6" -md "${7:-sha256}" 2>/dev/null
	else
		openssl ca -config ca.cnf -batch -notext -cert "$3.pem" -keyfile "$3.key" -in "$1.csr" -out "$1.pem" \
			-extensions "$4" -startdate "$5" -enddate "$6" -md "${7:-sha256}" 2>/dev/null
	fi
}

CA_FROM=20200101000000Z CA_TO=20400101000000Z
LEAF_FROM=20250101000000Z LEAF_TO=20350101000000Z

rsa root;  sign root "tlsdiag Test Root CA" self v3_root $CA_FROM $CA_TO
rsa inter; sign inter "tlsdiag Test Intermediate CA" root v3_inter $CA_FROM $CA_TO
rsa oroot; sign oroot "tlsdiag Other Root CA" self v3_root $CA_FROM $CA_TO
rsa ointer; sign ointer "tlsdiag Other Intermediate CA" oroot v3_inter $CA_FROM $CA_TO

SAN="DNS:www.example.test, DNS:example.test"
rsa leaf; sign leaf www.example.test inter v3_leaf $LEAF_FROM $LEAF_TO
SAN=DNS:expired.example.test
rsa expired; sign expired expired.example.test inter v3_leaf 20200101000000Z 20210101000000Z
SAN=DNS:future.example.test
rsa future; sign future future.example.test inter v3_leaf 20400101000000Z 20410101000000Z
SAN=DNS:soon.example.test
rsa soon; sign soon soon.example.test inter v3_leaf $LEAF_FROM 20261201000000Z
SAN=DNS:self.example.test
rsa self; sign self self.example.test self v3_selfsigned $LEAF_FROM $LEAF_TO
rsa nosan; sign nosan nosan.example.test inter v3_leaf_nosan $LEAF_FROM $LEAF_TO
SAN=DNS:*.example.test
rsa wild; sign wild "*.example.test" inter v3_leaf $LEAF_FROM $LEAF_TO
SAN=DNS:sha1.example.test
rsa sha1; sign sha1 sha1.example.test inter v3_leaf $LEAF_FROM $LEAF_TO sha1
SAN=DNS:rsa1024.example.test
rsa small 1024; sign small rsa1024.example.test inter v3_leaf $LEAF_FROM $LEAF_TO
SAN=DNS:ec.example.test
ec ecleaf; sign ecleaf ec.example.test inter v3_leaf $LEAF_FROM $LEAF_TO
ec ecother
openssl req -config ca.cnf -new -key leaf.key -subj "/O=tlsdiag tests/CN=www.example.test" -out request.csr

out=$here
cp root.pem "$out/root.pem"
# certificates with their chain
cat leaf.pem inter.pem >"$out/good.pem"
cat inter.pem leaf.pem >"$out/wrong-order.pem"
cat leaf.pem >"$out/leaf-only.pem"
cat leaf.pem inter.pem root.pem >"$out/root-included.pem"
cat leaf.pem inter.pem ointer.pem >"$out/extra-cert.pem"
cat inter.pem root.pem >"$out/only-ca.pem"
cat expired.pem inter.pem >"$out/expired.pem"
cat future.pem inter.pem >"$out/not-yet-valid.pem"
cat soon.pem inter.pem >"$out/expires-soon.pem"
cat self.pem >"$out/self-signed.pem"
cat nosan.pem inter.pem >"$out/no-san.pem"
cat wild.pem inter.pem >"$out/wildcard.pem"
cat sha1.pem inter.pem >"$out/sha1-signed.pem"
cat small.pem inter.pem >"$out/rsa1024.pem"
cat ecleaf.pem inter.pem >"$out/ec.pem"
cat leaf.pem inter.pem leaf.key >"$out/key-in-bundle.pem"
openssl x509 -in leaf.pem -outform der -out "$out/leaf.der"
openssl crl2pkcs7 -nocrl -certfile leaf.pem -certfile inter.pem -out "$out/p7b.pem"
cp request.csr "$out/csr.pem"
# keys
cp leaf.key "$out/leaf.key"
openssl pkey -in leaf.key -aes256 -passout pass:secret -out "$out/encrypted.key"
openssl pkey -in leaf.key -traditional -aes128 -passout pass:secret -out "$out/encrypted-legacy.key"
cp wild.key "$out/mismatched.key"
cp ecleaf.key "$out/ec.key"
cp ecother.key "$out/ec-mismatched.key"
openssl pkey -in leaf.key -outform der -out "$out/leaf-key.der"
openssl pkcs12 -export -in leaf.pem -inkey leaf.key -certfile inter.pem -name www.example.test \
	-passout pass:secret -out "$out/good.p12"

# damaged files, made from good.pem
awk 'NR == 10 { $0 = substr($0, 1, 20) "*" substr($0, 22) } { print }' "$out/good.pem" >"$out/broken-base64.pem"
awk 'NR == 12 { $0 = substr($0, 1, 30) substr($0, 34) } { print }' "$out/good.pem" >"$out/truncated-line.pem"
# the end of the file was lost: the last END line is missing
sed '$d' "$out/good.pem" >"$out/missing-end.pem"
# leaf.pem without its final line break, then cat: END and BEGIN on one line
{ printf '%s' "$(cat leaf.pem)"; cat inter.pem; } >"$out/no-newline.pem"
# four dashes in the intermediate's BEGIN line
awk 'NR > 1 && /^-----BEGIN CERTIFICATE-----$/ && !done { $0 = "----BEGIN CERTIFICATE-----"; done = 1 } { print }' \
	"$out/good.pem" >"$out/damaged-marker.pem"
sed 's/$/\r/' "$out/good.pem" >"$out/crlf.pem"
printf 'This is the order confirmation, not the certificate.\nYour certificate will be sent separately.\n' \
	>"$out/garbage.pem"
printf '\001\002\003\004binary\000data\377\376' >"$out/garbage.bin"
: >"$out/empty.pem"
# throw-away test keys: readable like every other fixture (genpkey makes them 0600)
chmod 644 "$out"/*.pem "$out"/*.key "$out"/*.der "$out"/*.p12 "$out"/*.bin
echo "fixtures written to $out"
