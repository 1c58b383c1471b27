# groupcart in a container: a static-enough Debian image with just the binary.
#   docker build -t groupcart .
#   docker run -p 8080:8080 -e GROUPCART_TELEGRAM__TOKEN=... \
#     -e GROUPCART_DATABASE__URL=postgres://groupcart@db/groupcart groupcart
FROM rust:1-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin groupcart

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home /var/lib/groupcart --create-home groupcart
COPY --from=build /src/target/release/groupcart /usr/local/bin/groupcart
USER groupcart
WORKDIR /var/lib/groupcart
# Listen on every interface inside the container; the SQLite file (if used) lives in the
# volume.
ENV GROUPCART_HTTP__LISTEN=0.0.0.0:8080 \
    GROUPCART_DATABASE__URL=sqlite:///var/lib/groupcart/groupcart.db
VOLUME /var/lib/groupcart
EXPOSE 8080
ENTRYPOINT ["groupcart"]
CMD ["serve", "--log-format", "json"]
