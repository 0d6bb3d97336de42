#!/bin/sh
# gen-certs.sh DIR -- make throw-away TLS material for the test API server.
#
# Writes into DIR (created if missing):
#   ca.crt ca.key                 test CA ("sunset-test-ca")
#   server.crt server.key         server cert signed by ca: SAN IP 127.0.0.1,
#                                 IP ::1, DNS localhost, DNS sunset-test.invalid
#   client.crt client.key         client cert CN=sunset-user O=system:masters (ca)
#   limited.crt limited.key       client cert CN=limited (ca) -> user "limited"
#   other-ca.crt other-ca.key     second, unrelated CA ("wrong CA" tests)
#   other-client.crt other-client.key  client cert signed by other-ca
#                                 (the server rejects it in the TLS handshake)
# All keys are EC P-256 (fast). Certificates are valid for 10 years.
set -eu
if [ $# -ne 1 ]; then
    echo "usage: $0 DIR" >&2
    exit 2
fi
dir=$1
mkdir -p "$dir"
cd "$dir"
umask 077

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

ca() { # name cn
    key "$1.key"
    openssl req -x509 -new -key "$1.key" -sha256 -days 3650 -subj "/CN=$2" \
        -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" \
        -addext "subjectKeyIdentifier=hash" \
        -out "$1.crt" 2>/dev/null
}

leaf() { # name ca subject extfile-content
    key "$1.key"
    openssl req -new -key "$1.key" -subj "$3" -out "$1.csr" 2>/dev/null
    printf '%s\n' "$4" > "$1.ext"
    openssl x509 -req -in "$1.csr" -CA "$2.crt" -CAkey "$2.key" -CAcreateserial \
        -sha256 -days 3650 -extfile "$1.ext" -out "$1.crt" 2>/dev/null
    rm -f "$1.csr" "$1.ext"
}

ca ca sunset-test-ca
ca other-ca sunset-other-ca

leaf server ca "/CN=kube-apiserver" "basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost,DNS:sunset-test.invalid,DNS:kubernetes.default.svc"

clientext="basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth"
leaf client ca "/O=system:masters/CN=sunset-user" "$clientext"
leaf limited ca "/CN=limited" "$clientext"
leaf other-client other-ca "/O=system:masters/CN=sunset-user" "$clientext"

rm -f ca.srl other-ca.srl
chmod 644 ./*.crt
chmod 600 ./*.key
