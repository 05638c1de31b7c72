#!/bin/sh
# Healthy when Redis answers PING with the password (REDISCLI_AUTH: not on the command line).
set -eu
REDISCLI_AUTH=$(cat "${REDIS_PASSWORD_FILE:-/run/secrets/redis_password}")
export REDISCLI_AUTH
[ "$(redis-cli -h 127.0.0.1 -p 6379 --no-auth-warning ping)" = PONG ]
