#!/usr/bin/env bash
# The parity gate and the latency bench on every execution provider that starts on a machine with
# an NVIDIA GPU — CUDA (where onnxruntime-node's CUDA provider library and CUDA 12 / cuDNN 9 are
# present), TensorRT (likewise), WebGPU (Dawn on the NVIDIA Vulkan driver), CPU — as one table
# (bench/providers.bench.ts). Run from a checkout with node_modules installed:
#
#   bash bench/gpu-check.sh [--runs 50] [--models resources/models]
#
# To get the CUDA provider library (a NuGet download, ~300 MB):
#   ONNXRUNTIME_NODE_INSTALL_CUDA=v12 node node_modules/onnxruntime-node/script/install.js
# CUDA 12 and cuDNN 9 libraries must be on the loader path (e.g. the pip wheels nvidia-cudnn-cu12,
# nvidia-cublas-cu12, nvidia-cuda-runtime-cu12 and LD_LIBRARY_PATH pointing at their lib folders).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== GPU"
if command -v nvidia-smi >/dev/null 2>&1; then
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
else
  echo "nvidia-smi not found: no NVIDIA driver here (CUDA cannot start; WebGPU uses whatever Vulkan driver there is)"
fi

echo "== CUDA provider library"
lib=node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime_providers_cuda.so
if [ -e "$lib" ]; then
  echo "present: $lib"
  for so in libcudart.so.12 libcublas.so.12 libcudnn.so.9; do
    if ldconfig -p 2>/dev/null | grep -q "$so" || { [ -n "${LD_LIBRARY_PATH:-}" ] && find ${LD_LIBRARY_PATH//:/ } -maxdepth 1 -name "$so*" 2>/dev/null | grep -q .; }; then
      echo "  $so found"
    else
      echo "  $so NOT found: the CUDA provider will fail to start"
    fi
  done
else
  echo "missing (ONNXRUNTIME_NODE_INSTALL_CUDA=v12 node node_modules/onnxruntime-node/script/install.js): CUDA rows will say it does not start"
fi

echo "== Vulkan drivers (WebGPU on Linux goes through Vulkan)"
ls /usr/share/vulkan/icd.d /etc/vulkan/icd.d 2>/dev/null || echo "no Vulkan driver manifests: WebGPU will not find an adapter"

# Dawn wants a runtime dir.
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$(mktemp -d)}"
echo "== Parity gate and latency, every provider that starts"
exec npx tsx --tsconfig tsconfig.node.json bench/providers.bench.ts --runs 50 "$@"
