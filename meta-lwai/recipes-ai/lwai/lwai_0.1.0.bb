SUMMARY = "LightWeightAI runtime and kernels for neural-network models compiled to C"
DESCRIPTION = "lwai runs TFLite and ONNX models compiled ahead of time to C (lwai compile) \
               on a small C99 runtime with int8/int16/float32 kernels bit-exact with TFLite. \
               This recipe builds the runtime and kernels as a library; lwai_model.bbclass \
               links compiled models against it."
# lwai has no public home page or bug tracker yet: placeholders in the reserved .invalid
# domain until it has (the layer's README names the maintainers).
HOMEPAGE = "https://lwai.invalid/"
BUGTRACKER = "https://lwai.invalid/issues"
CVE_PRODUCT = "lwai"
SECTION = "libs"
LICENSE = "Apache-2.0"
# The sources' license declaration (the repository has no separate license file).
LIC_FILES_CHKSUM = "file://bundle.json;beginline=6;endline=6;md5=a5e133c2bb5becf3b641c7da28645b6e"

DEPENDS = "python3-kconfiglib-native"

# meta-lwai lives inside the lwai repository and files/ here links to its parts: the sources
# are the repository's own files that the library build reads (SConstruct, the C trees, the
# Kconfig tree and the Python that merges and generates the configuration), not a download.
SRC_URI = "\
    file://bundle.json;subdir=${BP} \
    file://SConstruct;subdir=${BP} \
    file://Makefile;subdir=${BP} \
    file://Kconfig;subdir=${BP} \
    file://boards;subdir=${BP} \
    file://configs;subdir=${BP} \
    file://kernels;subdir=${BP} \
    file://runtime;subdir=${BP} \
    file://lwai/__init__.py;subdir=${BP} \
    file://lwai/config.py;subdir=${BP} \
    file://lwai/errors.py;subdir=${BP} \
    file://lwai/cli/__init__.py;subdir=${BP} \
    file://lwai/cli/args.py;subdir=${BP} \
    file://lwai/cli/kconfig.py;subdir=${BP} \
    file://lwai/opspec.py;subdir=${BP} \
"

COMPATIBLE_HOST = "(x86_64|arm|aarch64).*-linux"

inherit cml1 scons

# The Kconfig starting point: a defconfig file listed in SRC_URI (file://defconfig, as the
# kernel and busybox take it), else configs/${LWAI_DEFCONFIG}_defconfig from the sources.
# .cfg files in SRC_URI are merged on top, then the PACKAGECONFIG switches (last wins).
LWAI_DEFCONFIG ??= "${@{'arm': 'l1_armv7a_linux', 'aarch64': 'l2_aarch64'}.get(d.getVar('TARGET_ARCH'), 'l2_x86_64')}"

# One option per main Kconfig switch; each one writes CONFIG_<symbol>=y when on and =n when
# off, so PACKAGECONFIG decides these symbols whatever the defconfig says. (The optimized
# kernels, CMSIS-NN and the JSON loader on L0 are Cortex-M options: fragments only.)
PACKAGECONFIG ??= "aot graph lwfb int8 int16 float32 asserts \
                   conv2d depthwise-conv2d fully-connected avg-pool2d max-pool2d add mul \
                   softmax reshape quantize dequantize"
PACKAGECONFIG[aot] = "CONFIG_LWAI_EXECUTOR_AOT=y,CONFIG_LWAI_EXECUTOR_AOT=n"
PACKAGECONFIG[graph] = "CONFIG_LWAI_EXECUTOR_GRAPH=y,CONFIG_LWAI_EXECUTOR_GRAPH=n"
PACKAGECONFIG[lwfb] = "CONFIG_LWAI_LOADER_FLATBUFFER=y,CONFIG_LWAI_LOADER_FLATBUFFER=n"
PACKAGECONFIG[json] = "CONFIG_LWAI_LOADER_JSON=y,CONFIG_LWAI_LOADER_JSON=n,cjson"
PACKAGECONFIG[int8] = "CONFIG_LWAI_DTYPE_INT8=y,CONFIG_LWAI_DTYPE_INT8=n"
PACKAGECONFIG[int16] = "CONFIG_LWAI_DTYPE_INT16=y,CONFIG_LWAI_DTYPE_INT16=n"
PACKAGECONFIG[float32] = "CONFIG_LWAI_DTYPE_FLOAT32=y,CONFIG_LWAI_DTYPE_FLOAT32=n"
PACKAGECONFIG[profiling] = "CONFIG_LWAI_PROFILING=y,CONFIG_LWAI_PROFILING=n"
PACKAGECONFIG[asserts] = "CONFIG_LWAI_ASSERTS=y,CONFIG_LWAI_ASSERTS=n"
PACKAGECONFIG[conv2d] = "CONFIG_LWAI_KERNEL_CONV_2D=y,CONFIG_LWAI_KERNEL_CONV_2D=n"
PACKAGECONFIG[depthwise-conv2d] = "CONFIG_LWAI_KERNEL_DEPTHWISE_CONV_2D=y,CONFIG_LWAI_KERNEL_DEPTHWISE_CONV_2D=n"
PACKAGECONFIG[fully-connected] = "CONFIG_LWAI_KERNEL_FULLY_CONNECTED=y,CONFIG_LWAI_KERNEL_FULLY_CONNECTED=n"
PACKAGECONFIG[avg-pool2d] = "CONFIG_LWAI_KERNEL_AVERAGE_POOL_2D=y,CONFIG_LWAI_KERNEL_AVERAGE_POOL_2D=n"
PACKAGECONFIG[max-pool2d] = "CONFIG_LWAI_KERNEL_MAX_POOL_2D=y,CONFIG_LWAI_KERNEL_MAX_POOL_2D=n"
PACKAGECONFIG[add] = "CONFIG_LWAI_KERNEL_ADD=y,CONFIG_LWAI_KERNEL_ADD=n"
PACKAGECONFIG[mul] = "CONFIG_LWAI_KERNEL_MUL=y,CONFIG_LWAI_KERNEL_MUL=n"
PACKAGECONFIG[softmax] = "CONFIG_LWAI_KERNEL_SOFTMAX=y,CONFIG_LWAI_KERNEL_SOFTMAX=n"
PACKAGECONFIG[reshape] = "CONFIG_LWAI_KERNEL_RESHAPE=y,CONFIG_LWAI_KERNEL_RESHAPE=n"
PACKAGECONFIG[quantize] = "CONFIG_LWAI_KERNEL_QUANTIZE=y,CONFIG_LWAI_KERNEL_QUANTIZE=n"
PACKAGECONFIG[dequantize] = "CONFIG_LWAI_KERNEL_DEQUANTIZE=y,CONFIG_LWAI_KERNEL_DEQUANTIZE=n"

# BOARD=host: the POSIX board whose compiler and flags come from the environment (${CC},
# ${CFLAGS}, ${LDFLAGS}); the profile and switches come from the generated config.
LWAI_CONFIG_DIR = "${B}/build/config"
EXTRA_OESCONS = "BOARD=host BUILD_DIR=${B}/build/${HOST_SYS} CONFIG=${LWAI_CONFIG_DIR}/lwai_config.json libdir=${libdir}"

# cml1's do_configure merged with the scons class's: .config from the defconfig, the .cfg
# fragments and PACKAGECONFIG; `make oldconfig` settles it (the Makefile target cml1 runs,
# needing only kconfiglib); `make genconfig` writes lwai_config.json for SCons.
do_configure() {
    defconfig="${UNPACKDIR}/defconfig"
    if [ ! -f "$defconfig" ]; then
        defconfig="${S}/configs/${LWAI_DEFCONFIG}_defconfig"
    fi
    if [ ! -f "$defconfig" ]; then
        bbfatal "LWAI_DEFCONFIG = '${LWAI_DEFCONFIG}': no $defconfig; use one of: $(ls ${S}/configs | sed -n 's/_defconfig$//p' | tr '\n' ' ')or list a file://defconfig in SRC_URI"
    fi
    printf '%s\n' ${PACKAGECONFIG_CONFARGS} > ${B}/packageconfig.cfg
    cat "$defconfig" ${@" ".join(find_cfgs(d))} ${B}/packageconfig.cfg > ${B}/.config
    (
        unset CFLAGS CPPFLAGS CXXFLAGS LDFLAGS
        yes '' | oe_runmake oldconfig
        oe_runmake genconfig
    )
    # A switch Kconfig refused (its dependencies are off) would otherwise vanish quietly.
    for line in ${PACKAGECONFIG_CONFARGS}; do
        case "$line" in
        *=y) grep -qx "$line" ${B}/.config || bbwarn "PACKAGECONFIG: $line does not hold in the merged configuration (its Kconfig dependencies are off)" ;;
        esac
    done
    scons_do_configure
}

# Again before each compile: `bitbake lwai -c menuconfig` changes .config and reruns only
# do_compile, which must build what the menu saved.
do_compile:prepend() {
    (
        unset CFLAGS CPPFLAGS CXXFLAGS LDFLAGS
        oe_runmake genconfig
    )
}

# Besides OE's defaults (liblwai.so.* in ${PN}; headers, liblwai.so and lwai.pc in -dev;
# liblwai.a in -staticdev): the generic app sources and the configuration built, which
# lwai_model.bbclass compiles against, are development files.
FILES:${PN}-dev += "${datadir}/lwai"

BBCLASSEXTEND = "native nativesdk"
