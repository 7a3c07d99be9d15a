# lwai_model.bbclass: links models compiled by `lwai compile` into programs.
#
# lwai's compiler runs on Apache TVM, which cannot be built inside OpenEmbedded, so models
# reach BitBake as sources made ahead of time: on the build host run
#
#     lwai compile MODEL.tflite --config DEFCONFIG -o NAME
#
# with DEFCONFIG from `bitbake lwai -c savedefconfig` (or --defconfig with the recipe's
# LWAI_DEFCONFIG when its configuration is unchanged), and list the output
# directory, or a tarball of it, in SRC_URI:
#
#     SRC_URI = "file://NAME/"
#     inherit lwai_model
#
# Every directory under ${UNPACKDIR} holding a report.json (or those named in LWAI_MODELS)
# becomes ${bindir}/lwai_NAME: lwai's generic app (from lwai-dev) with that model, linked
# against liblwai. The program runs the model once per call: `lwai_NAME -i in.bin -o out.bin`.
# Nothing here runs the compiler or touches the network: a .tflite/.onnx in SRC_URI, a
# directory that is not `lwai compile` output, or a model compiled for another profile
# than the lwai recipe's configuration stops the build with an error saying so.

DEPENDS += "lwai"

# Model directories under ${UNPACKDIR} to build, by name or path (default: every one with a
# report.json).
LWAI_MODELS ??= ""
# What the error says to do when SRC_URI holds no model.
LWAI_MODEL_HINT ??= "list one in SRC_URI, e.g. SRC_URI += \"file://NAME/\""
# Extra C flags for the model and app sources (e.g. -DLWAI_APP_MAX_FILES=...).
LWAI_MODEL_CFLAGS ??= ""
# The list do_configure writes: one "name c_symbol arena_bytes directory" line per model.
LWAI_MODEL_LIST = "${B}/lwai-models.list"

python lwai_model_do_configure() {
    import json
    import os

    unpackdir = d.getVar("UNPACKDIR")
    raw = [u.split(";")[0] for u in (d.getVar("SRC_URI") or "").split()
           if u.split(";")[0].endswith((".tflite", ".onnx"))]
    if raw:
        bb.fatal("lwai_model: %s in SRC_URI is a model, not `lwai compile` output: this class "
                 "does not run the compiler (TVM is not buildable in OpenEmbedded). On the host "
                 "run `lwai compile MODEL --config <lwai's defconfig> -o NAME` and list "
                 "file://NAME/ instead." % ", ".join(raw))
    found = {}
    for root, dirs, files in os.walk(unpackdir):
        dirs.sort()
        if "report.json" in files:
            found[os.path.relpath(root, unpackdir)] = root
    wanted = (d.getVar("LWAI_MODELS") or "").split()
    if wanted:
        missing = [w for w in wanted if w not in found
                   and not any(os.path.basename(r) == w for r in found)]
        if missing:
            bb.fatal("lwai_model: LWAI_MODELS names %s, but %s holds no such `lwai compile` "
                     "output (found: %s)" % (" ".join(missing), unpackdir,
                                             " ".join(sorted(found)) or "none"))
        found = {r: p for r, p in found.items() if r in wanted or os.path.basename(r) in wanted}
    if not found:
        bb.fatal("lwai_model: no `lwai compile` output (a directory with report.json, src/ and "
                 "include/) in SRC_URI: %s" % d.getVar("LWAI_MODEL_HINT"))

    config = {}
    config_path = os.path.join(d.getVar("STAGING_DATADIR"), "lwai", "lwai_config.json")
    if os.path.isfile(config_path):
        with open(config_path) as f:
            config = json.load(f)
        config = config.get("symbols", config)
    profile = config.get("LWAI_PROFILE")

    lines = []
    names = set()
    for rel, mdir in sorted(found.items()):
        name = os.path.basename(mdir)
        if name in names:
            bb.fatal("lwai_model: two models named %s under %s" % (name, unpackdir))
        names.add(name)
        report_path = os.path.join(mdir, "report.json")
        if not os.path.isfile(report_path):
            bb.fatal("lwai_model: %s: no report.json: not `lwai compile` output" % mdir)
        with open(report_path) as f:
            report = json.load(f)
        try:
            symbol = report["c_symbol"]
            arena = int(report["arena_bytes"])
        except (KeyError, TypeError, ValueError):
            bb.fatal("lwai_model: %s: report.json lacks c_symbol/arena_bytes" % report_path)
        header = os.path.join(mdir, "include", symbol + ".h")
        srcdir = os.path.join(mdir, "src")
        if not os.path.isfile(header) or not os.path.isdir(srcdir) or not any(
                s.endswith(".c") for s in os.listdir(srcdir)):
            bb.fatal("lwai_model: %s: want include/%s.h and src/*.c from `lwai compile`"
                     % (mdir, symbol))
        if profile and report.get("profile") and report["profile"] != profile:
            bb.fatal("lwai_model: %s was compiled for profile %s but lwai is configured for %s "
                     "(%s); compile it again with lwai's configuration: `bitbake lwai -c "
                     "savedefconfig`, then `lwai compile ... --config <that defconfig>`"
                     % (name, report["profile"], profile, config_path))
        lines.append("%s %s %d %s\n" % (name, symbol, arena, mdir))
    with open(d.getVar("LWAI_MODEL_LIST"), "w") as f:
        f.writelines(lines)
}

lwai_model_do_compile() {
    app="${STAGING_DATADIR}/lwai/app"
    while read -r name symbol arena dir; do
        # The generic app takes the model from these defines (boards/app/lwai_app.c); only it
        # gets the model header forced in, as the other sources set their own feature macros.
        ${CC} ${CFLAGS} ${LWAI_MODEL_CFLAGS} -std=c99 -I"$dir/include" \
            -DLWAI_APP_MODEL="$symbol" -DLWAI_APP_ARENA_BYTES="$arena" -include "$symbol.h" \
            -c "$app/lwai_app.c" -o "${B}/lwai_app_$name.o" || bbfatal "lwai_model: compiling the app for $name failed"
        ${CC} ${CFLAGS} ${LWAI_MODEL_CFLAGS} -std=c99 -I"$dir/include" \
            "${B}/lwai_app_$name.o" "$app/board.c" "$dir"/src/*.c \
            ${LDFLAGS} -llwai -lm -o "${B}/lwai_$name" || bbfatal "lwai_model: linking lwai_$name failed"
    done < ${LWAI_MODEL_LIST}
}

lwai_model_do_install() {
    install -d ${D}${bindir}
    while read -r name symbol arena dir; do
        install -m 0755 "${B}/lwai_$name" ${D}${bindir}/
    done < ${LWAI_MODEL_LIST}
}

lwai_model_do_configure[doc] = "Checks the lwai compile output in SRC_URI and lists the models to build"
lwai_model_do_compile[doc] = "Links each model with the generic lwai app against liblwai"
lwai_model_do_install[doc] = "Installs one lwai_NAME program per model into bindir"

do_configure[dirs] = "${B}"
do_compile[dirs] = "${B}"

EXPORT_FUNCTIONS do_configure do_compile do_install
