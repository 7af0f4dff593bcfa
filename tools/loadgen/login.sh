# Sourced by tools/bench, tools/bench-live, tools/bench-scale and
# tools/loadgen/reads-under-reports: logs the load generator in to a daemon
# just started on its data directory (fresh, or a restored fixture).
#   loadgen_log_in DATA_DIR PORT   exports HELPDESK_TOKEN
# The admin (its password from the first start's file) makes an account
# for the load generator with the agent role (tickets), the dispatcher role
# (assignments: tools/bench-scale) and the dashboard role (/metrics); the
# load generator's session is its token. Needs curl
# and jq (tools/dev installs both).
loadgen_log_in() {
  local data=$1 url="http://127.0.0.1:$2" admin_pw admin token
  admin_pw=$(awk '$1 == "admin" {print $3}' "$data/first-start-credentials.txt")
  admin=$(curl -sf "$url/api/v1/session" -H 'content-type: application/json' \
    -d "$(jq -nc --arg p "$admin_pw" '{account: "admin", password: $p}')" |
    jq -r .token)
  curl -sf "$url/api/v1/accounts" -H 'content-type: application/json' \
    -H "Authorization: Bearer $admin" -o /dev/null \
    -d '{"id": "loadgen", "name": "Load generator", "roles": ["agent", "dispatcher", "dashboard"], "password": "loadgen-passord-lang"}'
  token=$(curl -sf "$url/api/v1/session" -H 'content-type: application/json' \
    -d '{"account": "loadgen", "password": "loadgen-passord-lang"}' |
    jq -r .token)
  if [ -z "$token" ] || [ "$token" = null ]; then
    echo "cannot log the load generator in to $url" >&2
    return 1
  fi
  export HELPDESK_TOKEN=$token
}
