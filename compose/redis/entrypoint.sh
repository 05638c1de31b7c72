#!/bin/sh
# Reads the broker password from $REDIS_PASSWORD_FILE and writes it as `requirepass` into an include file on
# a tmpfs (/run/redis, mode 0600), then runs Redis. The password never appears on a command line or in a log.
# A missing or empty secret stops the container at start with one clear line.
set -eu
secret=${REDIS_PASSWORD_FILE:-/run/secrets/redis_password}
include=${REDIS_AUTH_INCLUDE:-/run/redis/auth.conf}
if [ ! -r "$secret" ]; then
  echo "redis: error: password file $secret (REDIS_PASSWORD_FILE) is missing or unreadable" >&2
  exit 1
fi
password=$(cat "$secret")
if [ -z "$password" ]; then
  echo "redis: error: password file $secret (REDIS_PASSWORD_FILE) is empty" >&2
  exit 1
fi
case $password in
  *"
"*) echo "redis: error: password file $secret holds more than one line" >&2; exit 1 ;;
esac
umask 077
# Redis config strings: double quotes with backslash escapes.
escaped=$(printf '%s' "$password" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g')
printf 'requirepass "%s"\n' "$escaped" >"$include"
unset password escaped
exec "$@"
