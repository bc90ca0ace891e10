#!/bin/sh
# Check that FILE(s), merged into one RDF graph, are in the OWL 2 DL profile
# (OWL API 5 OWL2DLProfile). Compiles DLProfileCheck.java into a cache dir
# (never into the repository) the first time, or when the source changes.
# Usage: tools/owl-profile/run.sh [--allow-datatype=IRI ...] FILE [FILE ...]
#        exit 0 ok, 1 violations, 2 bad input
# For ontology + data use:
#   tools/owl-profile/run.sh --allow-datatype=xsd:date --allow-datatype=xsd:gYear \
#       --allow-datatype=xsd:gYearMonth --allow-datatype=xsd:duration ontology/*.ttl data/*.ttl
# (OWL 2 has none of these datatypes; the OWL API flags each literal of them.
# See DLProfileCheck.java. The ontology and schemes alone need no option.)
# Needs: Java >= 11 (javac) and Debian's libowlapi-java (OWL API 5.1) with its
# dependencies under /usr/share/java (override with OWLAPI_JAVA_DIR).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
J=${OWLAPI_JAVA_DIR:-/usr/share/java}
cache=${XDG_CACHE_HOME:-$HOME/.cache}/migkg/owl-profile
mkdir -p "$cache"
cp=""
for jar in owlapi-distribution guava failureaccess caffeine commons-io commons-codec \
    commons-rdf-api commons-rdf-simple hppcrt jsr305 atinject-jsr330-api \
    jackson-core jackson-databind jackson-annotations jsonld-java xz \
    httpclient httpcore commons-logging slf4j-api slf4j-nop \
    rdf4j-model rdf4j-model-api rdf4j-model-vocabulary rdf4j-util \
    rdf4j-rio-api rdf4j-rio-turtle rdf4j-rio-ntriples rdf4j-rio-rdfxml \
    rdf4j-rio-datatypes rdf4j-rio-languages jaxb-api; do
    if [ -f "$J/$jar.jar" ]; then cp="$cp:$J/$jar.jar"; fi
done
cp=${cp#:}
src="$here/DLProfileCheck.java"
stamp="$cache/DLProfileCheck.sha"
sum=$(sha256sum "$src" | cut -d' ' -f1)
if [ ! -f "$cache/DLProfileCheck.class" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$sum" ]; then
    javac -nowarn -d "$cache" -cp "$cp" "$src"
    echo "$sum" > "$stamp"
fi
exec java -cp "$cache:$cp" DLProfileCheck "$@"
