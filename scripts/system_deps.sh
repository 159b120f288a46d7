#!/usr/bin/env bash
# Debian packages the test suite uses for real servers: PostgreSQL (a throwaway cluster is started
# by the tests when no server is running) and GStreamer's RTSP server (a real camera on loopback,
# run by the system python3 with gi), and Mosquitto (the MQTT broker the outputs tests start).
# Installs only what is missing.
set -euo pipefail
sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
need=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
for pkg in python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-good \
  gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav chromium mosquitto; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "installing Debian packages: ${need[*]}"
  sudo_if_needed apt-get update -qq
  DEBIAN_FRONTEND=noninteractive sudo_if_needed apt-get install -y -qq --no-install-recommends \
    "${need[@]}" >/dev/null
fi
