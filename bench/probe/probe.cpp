// Prints llama.cpp's compute buffer sizes for a model file and context parameters without
// loading weights (no_alloc). See README.md.
// usage: probe MODEL n_ctx n_ubatch n_batch n_seq_max n_outputs_max flash_attn kv_unified
#include "llama.h"

#include <cstdio>
#include <cstdlib>

int main(int argc, char ** argv) {
    if (argc < 9) {
        fprintf(stderr, "usage: %s MODEL n_ctx n_ubatch n_batch n_seq_max n_outputs_max fa kvu\n", argv[0]);
        return 1;
    }
    llama_backend_init();
    llama_model_params mp = llama_model_default_params();
    mp.no_alloc = true;
    mp.load_mode = LLAMA_LOAD_MODE_NONE;
    mp.n_gpu_layers = 0;
    llama_model * model = llama_model_load_from_file(argv[1], mp);
    if (model == nullptr) {
        fprintf(stderr, "could not load %s\n", argv[1]);
        return 1;
    }
    llama_context_params cp = llama_context_default_params();
    cp.n_ctx = atoi(argv[2]);
    cp.n_ubatch = atoi(argv[3]);
    cp.n_batch = atoi(argv[4]);
    cp.n_seq_max = atoi(argv[5]);
    cp.n_outputs_max = atoi(argv[6]);
    cp.flash_attn_type = atoi(argv[7]) ? LLAMA_FLASH_ATTN_TYPE_ENABLED : LLAMA_FLASH_ATTN_TYPE_DISABLED;
    cp.kv_unified = atoi(argv[8]) != 0;
    llama_context * ctx = llama_init_from_model(model, cp);
    if (ctx == nullptr) {
        fprintf(stderr, "could not create the context\n");
        return 1;
    }
    llama_free(ctx);
    llama_model_free(model);
    return 0;
}
