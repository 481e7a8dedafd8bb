"""Run profiles: `quick` is the committed CPU run (its measured time: results/run.json), `full` is for a GPU.

`budget` is every method's (grid.py's docstring): at most `epochs` epochs, of which a two-phase method spends
`head_epochs` on the head; early stopping after `patience` epochs without a lower validation loss. Every phase
with a choice picks its learning rate from its method's `candidate_rates` (the head phase from feature
extraction's); lr_sweep tries each of `sweep_rates`; blocks,
bn_modes and recompile fine-tune at `fixed_learning_rate`. `bases`: what pretraining_source's bases were
pretrained on (`all_images` is the lessons' base, models/fashion_base.keras).
"""

# The environment of a Keras process that shares the cores with others (the run's workers, the test processes): it
# computes on one thread. TensorFlow's and XLA's thread pools, sized to the machine, keep their threads spinning while
# they wait for a core.
ONE_COMPUTE_THREAD = {"TF_NUM_INTRAOP_THREADS": "1", "TF_NUM_INTEROP_THREADS": "1",
                      "XLA_FLAGS": "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"}

PROFILES = {
    "quick": {
        "seeds": [0, 1, 2],
        "pretrain": {"learning_rate": 3e-3, "epochs": 6},
        "budget": {"epochs": 25, "head_epochs": 5, "patience": 5},
        "candidate_rates": {"feature_extraction": [1e-2, 1e-1], "fine_tuning": [1e-3, 1e-2],
                            "scratch": [1e-3, 1e-2]},
        "sweep_rates": [1e-5, 1e-4, 1e-3, 1e-2, 1e-1],
        "fixed_learning_rate": 1e-3,
        "bases": {"all_images": {}, "target_classes": {"classes": "target"}},
        "sizes": {"data_size": [5, 100], "pretraining_source": [5, 100], "augmentation": [5], "lr_sweep": [5],
                  "blocks": [5], "bn_modes": [5], "recompile": [5]},
    },
    "full": {
        "seeds": [0, 1, 2, 3, 4],
        "pretrain": {"learning_rate": 3e-3, "epochs": 30},
        "budget": {"epochs": 60, "head_epochs": 15, "patience": 8},
        "candidate_rates": {"feature_extraction": [1e-3, 1e-2, 1e-1], "fine_tuning": [1e-4, 1e-3, 1e-2],
                            "scratch": [1e-4, 1e-3, 1e-2]},
        "sweep_rates": [1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1],
        "fixed_learning_rate": 1e-3,
        "bases": {"all_images": {}, "500_images": {"images": 500}, "target_classes": {"classes": "target"},
                  "target_classes_500_images": {"classes": "target", "images": 500},
                  "shuffled_labels": {"shuffled_labels": True}},
        "sizes": {"data_size": [2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000],
                  "pretraining_source": [2, 5, 10, 20, 50, 100, 200, 500, 1000],
                  "augmentation": [2, 5, 20, 100, 1000], "lr_sweep": [5, 20, 100, 1000],
                  "blocks": [20, 100, 1000], "bn_modes": [5, 20, 100, 1000], "recompile": [20, 100]},
    },
}
