import Foundation

/// `report.html` and `loss_curves.png` of a char-LM run, rebuilt from `metrics.jsonl` after every
/// epoch: the shared loop's `step` lines (window means of the training loss) and `epoch` lines.
public enum CharLMReport {
    public static func write(folder: RunFolder, config: CharLMConfig, stepsPerEpoch: Int) throws {
        let all = folder.readMetrics()
        let metrics = all.filter { ($0["kind"] as? String) == "epoch" }
        var trainX: [Double] = [], trainY: [Double] = [], valX: [Double] = [], valY: [Double] = []
        for m in all where (m["kind"] as? String) == "step" {
            guard let step = m["step"] as? Int, let loss = m["loss"] as? Double else { continue }
            trainX.append(Double(step) / Double(max(stepsPerEpoch, 1))); trainY.append(loss / log(2))
        }
        for m in metrics {
            guard let epoch = m["epoch"] as? Int, let v = m["val_bits_per_char"] as? Double else { continue }
            valX.append(Double(epoch)); valY.append(v)
        }
        let chart = LineChart(title: "char-LM (\(config.architecture.rawValue)) loss", xLabel: "epoch", yLabel: "bits per character",
                              series: [LineChart.Series(name: "train (per step)", values: trainY, xs: trainX),
                                       LineChart.Series(name: "validation", values: valY, xs: valX)])
        try chart.figure().writePNG(to: folder.file("loss_curves.png"))

        var report = HTMLReport(title: "IllusionCraft — character-level \(config.architecture.rawValue.uppercased()) language model",
                                subtitle: "run folder \(folder.path)")
        report.addSection("Settings")
        report.addKeyValueTable([
            ("architecture", "Embedding(\(config.vocabulary.count), \(config.embedding)) → \(config.layers)-layer \(config.architecture.rawValue) \(config.hidden) → Linear(\(config.hidden), \(config.vocabulary.count))"),
            ("data", config.dataFiles.count == 1 ? config.dataFiles[0] : "\(config.dataFiles.count) files"),
            ("corpus", "\(config.corpusCharacters) characters, sha256 \(config.corpusSHA256), 90/10 split by position"),
            ("training", "truncated BPTT, \(config.batchSize) streams × \(config.seqLen) steps, Adam \(config.learningRate), clip \(config.clipNorm)"),
        ])
        report.addSection("Per epoch")
        let rows = metrics.map { m -> [String] in
            func f(_ k: String, _ fmt: String) -> String { (m[k] as? Double).map { String(format: fmt, $0) } ?? "" }
            return ["\(m["epoch"] ?? "")", f("train_bpc", "%.4f"), f("val_nats_per_char", "%.4f"), f("val_bits_per_char", "%.4f"),
                    f("val_perplexity", "%.2f"), f("images_per_s", "%.0f"), f("epoch_seconds", "%.1f")]
        }
        report.addTable(header: ["epoch", "train bits/char", "val nats/char", "val bits/char", "val perplexity", "chars/s", "epoch s"], rows: rows)
        try report.addChart(chart, caption: "training loss (mean over each metrics.jsonl step line) and validation loss per epoch (bits/char)")
        report.addSection("Samples (temperature 1, primed with a newline)")
        for m in metrics {
            guard let epoch = m["epoch"] as? Int,
                  let text = try? String(contentsOfFile: folder.file("samples/epoch_\(epoch).txt"), encoding: .utf8) else { continue }
            report.addKeyValueTable([("epoch \(epoch)", text)])
        }
        try report.write(to: folder.file("report.html"))
    }
}
