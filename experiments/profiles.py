"""Run profiles: `quick` is the committed CPU run (its measured time: results/run.json), `full` is for a GPU."""

PROFILES = {
    "quick": {
        "seeds": [0, 1, 2],
        "pretrain": {"learning_rate": 3e-3, "epochs": 6},
        "head": {"learning_rate": 1e-2, "epochs": 10, "patience": 3},
        "fine_tune": {"learning_rate": 1e-4, "candidates": [1e-3, 1e-2], "epochs": 4, "patience": 2,
                      "max_examples": 10000},
        "scratch": {"learning_rate": 1e-3, "epochs": 12, "patience": 3, "warmup": 3, "batchnorm_momentum": 0.9,
                    "max_examples": 25000},
        "sizes": {"data_size": [5, 100, 1000], "lr_sweep": [5, 100], "blocks": [100], "bn_modes": [5],
                  "recompile": [5]},
        "learning_rates": [1e-5, 1e-4, 1e-3, 1e-2, 1e-1],
    },
    "full": {
        "seeds": [0, 1, 2, 3, 4],
        "pretrain": {"learning_rate": 3e-3, "epochs": 30},
        "head": {"learning_rate": 1e-2, "epochs": 100, "patience": 10},
        "fine_tune": {"learning_rate": 1e-4, "candidates": [1e-4, 1e-3, 1e-2], "epochs": 50, "patience": 6,
                      "max_examples": 500000},
        "scratch": {"learning_rate": 1e-3, "epochs": 100, "patience": 10, "warmup": 10, "batchnorm_momentum": 0.9,
                    "max_examples": 1000000},
        "sizes": {"data_size": [5, 10, 20, 50, 100, 200, 500, 1000, 2000], "lr_sweep": [5, 20, 100, 1000],
                  "blocks": [20, 100, 1000], "bn_modes": [5, 20, 100, 1000],
                  "recompile": [20, 100]},
        "learning_rates": [1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1],
    },
}
