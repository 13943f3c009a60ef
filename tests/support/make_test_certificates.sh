#!/usr/bin/env bash
# Makes, in DIR, the certificates the TLS tests use; nothing of it is committed. With openssl:
#   ca.pem / ca.key            the test certificate authority
#   other-ca.pem               an authority nobody trusts
#   server.pem / server.key    127.0.0.1 and localhost, signed by ca (server.key encrypted with
#                              the password in server.key.password, PKCS#8, as Kafka's PEM
#                              keystore wants it); server-keystore.pem = key + certificate
#   wrong-host.pem / .key      signed by ca, but for another host name
#   client.pem / client.key    a client certificate signed by ca (CN=logship-client)
#   client-expired.pem         the same key, expired yesterday
#   client-other-ca.pem        the same key, signed by other-ca
set -euo pipefail
dir=${1:?usage: make_test_certificates.sh DIR}
mkdir -p "$dir"
cd "$dir"
q() { "$@" > /dev/null 2>&1; }
q openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj "/CN=logship-test-ca"
q openssl req -x509 -newkey rsa:2048 -nodes -keyout other-ca.key -out other-ca.pem -days 2 -subj "/CN=somebody-else"

printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' > server.ext
printf 'subjectAltName=DNS:elsewhere.invalid\n' > wrong-host.ext
echo "server-key-secret" > server.key.password
q openssl req -newkey rsa:2048 -nodes -keyout server.plain.key -out server.csr -subj "/CN=localhost"
q openssl pkcs8 -topk8 -in server.plain.key -out server.key -passout file:server.key.password -v1 PBE-SHA1-3DES
q openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 -extfile server.ext
cat server.key server.pem > server-keystore.pem
q openssl req -newkey rsa:2048 -nodes -keyout wrong-host.key -out wrong-host.csr -subj "/CN=elsewhere.invalid"
q openssl x509 -req -in wrong-host.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out wrong-host.pem -days 2 -extfile wrong-host.ext

q openssl req -newkey rsa:2048 -nodes -keyout client.key -out client.csr -subj "/CN=logship-client"
q openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out client.pem -days 2
q openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out client-expired.pem -days -1
q openssl x509 -req -in client.csr -CA other-ca.pem -CAkey other-ca.key -CAcreateserial -out client-other-ca.pem -days 2
chmod 600 ./*.key
echo "certificates in $dir"
