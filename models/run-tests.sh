#!/usr/bin/env bash
# Python tests of the model zoo with Debian's torch (python3-torch, python3-onnx,
# python3-opencv, python3-jsonschema, python3-pytest); tiny configs, a few minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
exec /usr/bin/python3 -m pytest models/tests -q -p no:cacheprovider "$@"
