#!/usr/bin/env bash
# Starts the release build on a fresh data dir with one agency whose password the test knows.
set -euo pipefail
port=${1:-3197}
cd "$(dirname "$0")/.."
# MPFORGE_BIN and MPFORGE_SITE_ROOT point at another build (the bench compares two).
bin=${MPFORGE_BIN:-target/release/mpforge}
site_root=${MPFORGE_SITE_ROOT:-target/site}
[ -x "$bin" ] || { echo "build first: make build" >&2; exit 1; }
data=$(mktemp -d "${TMPDIR:-/tmp}/mpforge-e2e.XXXXXX")
trap 'rm -rf "$data"' EXIT
printf '%s\n' "$E2E_AGENCY_PASSWORD" |
  "$bin" --data-dir "$data" create-agency --name "E2E Agency" --login admin@e2e.test
# A second agency for the editor tests, so each spec file sees only its own merchants.
printf '%s\n' "$E2E_AGENCY_PASSWORD" |
  "$bin" --data-dir "$data" create-agency --name "E2E Studio" --login studio@e2e.test
# A third for the merchant-data and accessibility tests.
printf '%s\n' "$E2E_AGENCY_PASSWORD" |
  "$bin" --data-dir "$data" create-agency --name "E2E Access" --login access@e2e.test
# A fourth for the first-time merchant tests.
printf '%s\n' "$E2E_AGENCY_PASSWORD" |
  "$bin" --data-dir "$data" create-agency --name "E2E First" --login first@e2e.test
# A fifth publishes through a fake WeChat platform on the next port (mpforge dev-wechat).
printf '%s\n' "$E2E_AGENCY_PASSWORD" |
  "$bin" --data-dir "$data" create-agency --name "E2E Publisher" --login publisher@e2e.test
wechat="http://127.0.0.1:$((port + 1))"
echo fake-component-secret | "$bin" --data-dir "$data" set-platform --agency publisher@e2e.test \
  --component-appid wxfa4e000000000001 --token faketoken \
  --aes-key abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG \
  --template shop=1 --template booking=2 --template info=3 --contact-email privacy@e2e.test
RUST_LOG=${RUST_LOG:-warn} "$bin" dev-wechat --addr "127.0.0.1:$((port + 1))" --push-to "http://127.0.0.1:$port" &
fake=$!
# Warnings only: one line per request would drown the test report.
RUST_LOG=${RUST_LOG:-warn} "$bin" --data-dir "$data" --addr "127.0.0.1:$port" --site-root "$site_root" --no-demo \
  --public-url "http://127.0.0.1:$port" --wechat-api-base "$wechat" --wechat-open-base "$wechat" &
pid=$!
trap 'kill $pid $fake 2>/dev/null; wait $pid $fake 2>/dev/null; rm -rf "$data"' EXIT TERM INT
wait $pid
