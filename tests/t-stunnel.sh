#!/bin/sh
# TLS in front: stunnel with "protocol = proxy" terminates TLS and tells
# replyd the real client in a PROXY header, as replyd(8) shows.  A
# self-signed certificate is made for the test; the client is
# openssl s_client.  Skips without stunnel4 and openssl; CI installs them.
. "$(dirname "$0")/lib.sh"

STUNNEL=${STUNNEL:-$(command -v stunnel4 || command -v stunnel || true)}
[ -n "$STUNNEL" ] || skip_all "needs stunnel4"
command -v openssl > /dev/null || skip_all "needs openssl"

cat > "$WORK/peer.sh" <<'S'
#!/bin/sh
read -r line
echo "got=$line remote=$TCPREMOTEIP:$TCPREMOTEPORT"
S
chmod 755 "$WORK/peer.sh"
start be "$(conf be <<C
port = 0;
listen = "127.0.0.1";
proxy_protocol = true;
proxy_from = [ "127.0.0.1" ];
handler = "exec";
exec = { program = "$WORK/peer.sh"; };
C
)"
pb=$PORT
be_log=$LOG

# A free port for stunnel.
start probe "$(conf probe <<'C'
port = 0;
listen = "127.0.0.1";
C
)"
pf=$PORT
stop "$PID"

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$WORK/key.pem" -out "$WORK/cert.pem" -days 1 \
    -subj /CN=localhost > "$WORK/openssl.log" 2>&1
check "a self-signed certificate is made" test -s "$WORK/cert.pem"
cat > "$WORK/stunnel.conf" <<C
foreground = yes
pid =
[replyd]
accept = 127.0.0.1:$pf
connect = 127.0.0.1:$pb
cert = $WORK/cert.pem
key = $WORK/key.pem
protocol = proxy
C
"$STUNNEL" "$WORK/stunnel.conf" > "$WORK/stunnel.log" 2>&1 &
spid=$!
PIDS="$PIDS $spid"
wait_log "$WORK/stunnel.log" 'Configuration successful|bound to|started' 10

# tls DATA: one TLS session through stunnel, what comes back.
tls() {
	# shellcheck disable=SC2059 # DATA carries printf escapes (\n) on purpose
	printf "$1" | timeout 10 openssl s_client -quiet -verify_quiet \
	    -connect "127.0.0.1:$pf" 2> "$WORK/s_client.log"
}
out=$(tls 'hello\n')
same "stunnel: a TLS client is served" "${out%% *}" "got=hello"
# The handler sees the client's own port, not stunnel's connection.
cport=${out##*:}
check "stunnel: replyd logs the client, via stunnel" \
    wait_log "$be_log" "connect from 127\.0\.0\.1:$cport via 127\.0\.0\.1:[0-9]+\$"
sport=$(sed -nE 's/.* via 127\.0\.0\.1:([0-9]+)$/\1/p' "$be_log" | head -n 1)
check "stunnel: the client's port ($cport) is not stunnel's ($sport)" \
    test "$cport" != "$sport"
out=$(tls 'again\n')
same "stunnel: and the next one" "${out%% *}" "got=again"
check "stunnel: nothing refused" \
    sh -c "! grep -q refused '$be_log'"
finish
