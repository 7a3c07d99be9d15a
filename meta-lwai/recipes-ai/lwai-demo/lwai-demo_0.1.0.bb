SUMMARY = "lwai demo: a model compiled by lwai, linked with the lwai runtime"
DESCRIPTION = "Builds lwai_hello_world_int8, the generic lwai app running the \
               hello_world_int8 model (TensorFlow Lite Micro's sine example) from its \
               lwai compile output, with lwai_model.bbclass."
# lwai has no public home page or bug tracker yet: placeholders in the reserved .invalid
# domain until it has (the layer's README names the maintainers).
HOMEPAGE = "https://lwai.invalid/"
BUGTRACKER = "https://lwai.invalid/issues"
CVE_PRODUCT = "lwai"
SECTION = "examples"
# The app and the generated code are lwai's (Apache-2.0, declared in its bundle.json);
# the model is TensorFlow Lite Micro's hello_world example (Apache-2.0).
LICENSE = "Apache-2.0"
LIC_FILES_CHKSUM = "file://bundle.json;beginline=6;endline=6;md5=a5e133c2bb5becf3b641c7da28645b6e"

# The model is not part of the layer: LWAI_DEMO_MODEL_DIR names the directory that
#   lwai compile hello_world_int8.tflite --config <lwai's defconfig> -o DIR
# wrote on the build host (docs/yocto.md). Unset, do_configure says so.
LWAI_DEMO_MODEL_DIR ??= ""
SRC_URI = "file://bundle.json \
           ${@'file://${LWAI_DEMO_MODEL_DIR}/' if d.getVar('LWAI_DEMO_MODEL_DIR') else ''}"
S = "${UNPACKDIR}"
B = "${WORKDIR}/build"
LWAI_MODEL_HINT = "set LWAI_DEMO_MODEL_DIR (now '${LWAI_DEMO_MODEL_DIR}') in local.conf to the directory lwai compile wrote for hello_world_int8"

# It needs a model from the user: not part of world builds.
EXCLUDE_FROM_WORLD = "1"

inherit lwai_model

BBCLASSEXTEND = "native nativesdk"
