#!/usr/bin/env bash
# Release the suite: annotated tag vX.Y.Z on HEAD and the moving major tag vX (what `uses: org/erp-deploy@v1`
# resolves to). Refuses, changing nothing, when:
#   - the version is not semver X.Y.Z (or X.Y.Z-pre; pre-releases never move the major tag),
#   - package.json's version differs, or CHANGELOG.md has no "## [X.Y.Z]" section,
#   - the working tree has uncommitted changes, or the tag exists,
#   - dist/ is stale (scripts/check-dist.sh rebuilds it and fails on any difference).
# Usage: scripts/release.sh [--push] X.Y.Z     tag (and push both tags to origin with --push)
#        scripts/release.sh --notes X.Y.Z      print the changelog section (release notes)
set -euo pipefail
cd "$(dirname "$0")/.."
die() { printf 'release: %s\n' "$*" >&2; exit 1; }

push=false notes=false
while [ $# -gt 1 ]; do
  case "$1" in
    --push) push=true ;;
    --notes) notes=true ;;
    *) die "unknown option $1 (expected --push or --notes)" ;;
  esac
  shift
done
[ $# -eq 1 ] || die "usage: scripts/release.sh [--push|--notes] X.Y.Z"
version=${1#v}
[[ "$version" =~ ^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?$ ]] \
  || die "\"$1\" is not a semver version X.Y.Z"
major=${BASH_REMATCH[1]} prerelease=${BASH_REMATCH[4]}

# The changelog section for the version: from its heading to the next "## " heading.
section=$(awk -v v="$version" '
  index($0, "## [" v "]") == 1 { on = 1; next }
  on && /^## / { exit }
  on { print }' CHANGELOG.md 2>/dev/null || true)
[ -n "${section//[[:space:]]/}" ] || die "CHANGELOG.md has no \"## [$version]\" section with notes: add one first"
if $notes; then
  printf '%s\n' "$section" | sed -e '/./,$!d'
  exit 0
fi

pkg=$(node -p 'require("./package.json").version')
[ "$pkg" = "$version" ] || die "package.json says $pkg, not $version: run 'npm version $version --no-git-tag-version' and commit"
[ -z "$(git status --porcelain --untracked-files=no)" ] || die "uncommitted changes: commit or drop them first"
! git rev-parse -q --verify "refs/tags/v$version" >/dev/null || die "tag v$version exists already"
scripts/check-dist.sh || die "dist/ is stale: run 'npm run build', commit dist/, then release"

git tag -a "v$version" -m "erp-deploy v$version"
printf 'release: tagged v%s at %s\n' "$version" "$(git rev-parse --short HEAD)"
if [ -z "$prerelease" ]; then
  git tag -f -a "v$major" -m "erp-deploy v$major (moving: v$version)" >/dev/null
  printf 'release: moved v%s to v%s\n' "$major" "$version"
fi
if $push; then
  git push origin "refs/tags/v$version"
  [ -n "$prerelease" ] || git push --force origin "refs/tags/v$major"
fi
