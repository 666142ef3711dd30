# engine/tests/dockerfiles/debian-static.Dockerfile: the multi-stage
# example of engine/README.md (issue 10, items 5 and 6), built by
# engine/tests/integration/build-debian.sh. The first stage installs a
# compiler with apt-get from the flat repository the test serves on
# 127.0.0.1 (build/debian/apt, made by `make debian-base`) and compiles a
# static program; the final image is that program alone, FROM scratch.
# (A file, not a folder: buildah.sh compares every folder here with buildah.)
#
#   isolab build --network host --build-arg APT_PORT=PORT -f THIS CONTEXT
FROM debian:bookworm AS compile
ARG APT_PORT
ARG DEBIAN_FRONTEND=noninteractive
RUN echo "deb [trusted=yes] http://127.0.0.1:${APT_PORT} ./" >/etc/apt/sources.list \
 && rm -f /etc/apt/sources.list.d/* \
 && apt-get -q update \
 && apt-get -q install -y --no-install-recommends gcc libc6-dev \
 && rm -rf /var/lib/apt/lists/*
COPY debian-static.c /src/hello.c
RUN gcc -static -O2 -s -o /hello /src/hello.c

FROM scratch
COPY --from=compile /hello /hello
ENTRYPOINT ["/hello"]
