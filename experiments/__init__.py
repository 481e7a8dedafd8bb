"""The prebuilt run: pretraining, the fine-tuning grid, results files and figures (keras + numpy only)."""
