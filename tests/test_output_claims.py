"""What the lessons' prose says about a snippet's stored output (shown under its code) holds for that output.

The outputs come from the executed notebooks (`make notebooks`); when a change of a snippet or of the base
model makes the prose wrong, these tests fail and the prose or the snippet must change.
"""

import re

from sitebuild.notebooks import stored_output
from sitebuild.pages import DOCS, Block


def output(lesson, *block_names):
    """What the blocks printed, one after the other."""
    return "".join(stored_output(DOCS / "lessons" / f"{lesson}.md", Block.named(name)) for name in block_names)


def accuracies(text):
    """{line label: test accuracy} of lines like 'head only:   test accuracy 0.679'."""
    return {match["label"].strip(): float(match["value"])
            for match in re.finditer(r"^(?P<label>.*?)\s*test accuracy (?P<value>[\d.]+)", text, re.MULTILINE)}


def test_lesson_2_every_layer_trainable_shows_the_larger_gap_and_the_lower_test_accuracy():
    text = output("2-why-freeze-layers", "l2_overfitting.py:frozen", "l2_overfitting.py:all_trainable")
    rows = {match[1].strip(): (float(match[2]), float(match[3])) for match in
            re.finditer(r"^(.*): train [\d.]+, test ([\d.]+), gap ([\d.]+)", text, re.MULTILINE)}
    (frozen_test, frozen_gap), (open_test, open_gap) = rows["frozen base"], rows["all layers trainable"]
    assert open_gap > frozen_gap and open_test < frozen_test, rows
    trains = [float(train) for train in re.findall(r"train ([\d.]+),", text)]
    assert len(trains) == 2 and max(trains) < 0.9, text  # "neither model learned its training images by heart"


def test_lesson_4_the_network_from_scratch_beat_the_frozen_pretrained_base():
    scores = accuracies(output("4-pretrained-vs-scratch", "l4_pretrained_vs_scratch.py:pretrained",
                               "l4_pretrained_vs_scratch.py:scratch"))
    assert scores["from scratch:"] > scores["pretrained, frozen:"] > 0.5


def test_lesson_6_moderate_rate_adapts_large_rate_destroys():
    text = output("6-learning-rate", "l6_learning_rate.py")
    scores = accuracies(text)
    moved = {float(rate): float(percent) for rate, percent in
             re.findall(r"learning rate ([\d.e-]+)\s.*filters moved ([\d.]+)%", text)}
    head = scores["head only:"]
    moderate, large = sorted(moved)
    assert moved[moderate] < 100 < moved[large], moved  # "a little" vs "several times their own size"
    assert scores[f"learning rate {moderate:g}"] > head  # "rises above where the head alone had it"
    assert scores[f"learning rate {large:g}"] < head - 0.1  # "falls far below the head's"


def test_lesson_7_trainable_batchnorm_changes_statistics_and_scores_lower():
    text = output("7-batchnorm", "l7_batchnorm.py:batchnorm_trainable", "l7_batchnorm.py:batchnorm_frozen")
    scores = accuracies(text)
    assert "BatchNorm left trainable:  test accuracy" in text
    assert re.search(r"left trainable:.*statistics changed: True", text)
    assert re.search(r"BatchNorm frozen:.*statistics changed: False", text)
    assert scores["BatchNorm left trainable:"] < scores["BatchNorm frozen:"]  # "ends with the lower accuracy"


def test_lesson_8_stand_in_weights_score_near_chance_and_the_reload_matches():
    text = output("8-end-to-end", "l8_end_to_end.py:evaluate_save")
    accuracy = float(re.search(r"validation accuracy: ([\d.]+)", text)[1])
    assert accuracy <= 2 / 4, text  # 4 classes, 8 validation images: "near chance level" (1 in 4)
    text = output("8-end-to-end", "l8_end_to_end.py:predict")
    assert "reloaded model predicts the same: True" in text
    assert re.search(r"^my_images/\w+/\S+ -> \w+$", text, re.MULTILINE), text  # one image file classified
    warning = "UserWarning: `shuffle=True` was passed, but will be ignored"  # the page explains it
    assert warning in output("8-end-to-end", "l8_end_to_end.py:train_head")
    fine_tune = output("8-end-to-end", "l8_end_to_end.py:fine_tune")
    # "the 7 convolution kernels among them and the head's kernel and bias: the 9 weight tensors"
    assert "weight tensors to train: 9" in fine_tune and warning not in fine_tune


def test_lesson_1_non_trainable_parameters_are_the_batchnorm_statistics():
    text = output("1-what-is-fine-tuning", "l1_base_model.py")
    summary_rows = re.findall(r"BatchNormalization\)?.*?│\s+([\d,]+) │", text)
    non_trainable = int(re.search(r"Non-trainable params: ([\d,]+)", text)[1].replace(",", ""))
    # each BatchNormalization layer has 4 parameters per channel, half of them moving statistics
    assert non_trainable == sum(int(count.replace(",", "")) for count in summary_rows) // 2 > 0, text


def test_lesson_3_the_heads_trainable_count_is_features_times_classes_plus_biases():
    text = output("3-freezing-in-tensorflow", "l3_summary.py")
    features = int(re.search(r"fashion_base \(Functional\)\s*│\s*\(None, (\d+)\)", text)[1])
    trainable = int(re.search(r"Trainable params: ([\d,]+)", text)[1].replace(",", ""))
    assert trainable == features * 5 + 5, text  # "n × k weights in its kernel plus k biases", 5 classes


def test_lesson_3_setting_the_flag_it_already_has_unfreezes_nothing_each_layer_does():
    text = output("3-freezing-in-tensorflow", "l3_unfreeze_check.py")
    counts = {label: int(count) for label, count in re.findall(r"^(.*?): (\d+)$", text, re.MULTILINE)}
    assert "base.trainable: True" in text, text  # "the model's own flag is still True"
    assert counts["weight tensors to train"] == counts["after base.trainable = True"] == 2, counts  # the head's two
    assert counts["after setting each layer"] == 3, counts  # "the third one ... is block3_conv's kernel"
    rows = dict(re.findall(r"^│\s*(?:└ )?(\w+) \(?\w*\)?\s*│.*│\s+([YN-])\s+│$", text, re.MULTILINE))
    assert (rows["fashion_base"], rows["block3_conv"], rows["block3_bn"], rows["block2_conv"]) == ("Y", "Y", "N", "N")
