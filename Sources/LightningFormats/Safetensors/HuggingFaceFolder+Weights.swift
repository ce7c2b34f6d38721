extension HuggingFaceFolder {
    struct Weights {
        var shards: [SafetensorsFile]
        var shardOfTensor: [String: Int]
        var names: [String]
    }

    /// Opens `model.safetensors.index.json` and its shards, or else `model.safetensors`.
    static func openWeights(folder: String, file: (String) -> String) throws -> Weights {
        let indexPath = file(indexFileName)
        guard let indexData = try read(indexPath) else {
            let single = file(singleFileName)
            let shard: SafetensorsFile
            do {
                shard = try SafetensorsFile(path: single)
            } catch let error as FormatError where error.code == .missingFile {
                throw FormatError(.missingFile, "\(folder): neither \(singleFileName) nor \(indexFileName)")
            }
            var shardOfTensor: [String: Int] = [:]
            for name in shard.tensorNames { shardOfTensor[name] = 0 }
            return Weights(shards: [shard], shardOfTensor: shardOfTensor, names: shard.tensorNames)
        }

        let index = try object(indexData, file: indexPath)
        guard let weightMap = index["weight_map"]?.object else {
            throw FormatError(.invalidJSON, "\(indexPath): no 'weight_map' object")
        }
        var shardFiles: [String: [String]] = [:]
        for (tensor, value) in weightMap {
            guard let shardFile = value.string, isPlainFileName(shardFile) else {
                throw FormatError(.invalidJSON, "\(indexPath): weight_map['\(tensor)'] is not a file name in the folder")
            }
            shardFiles[shardFile, default: []].append(tensor)
        }

        var shards: [SafetensorsFile] = []
        var shardOfTensor: [String: Int] = [:]
        var names: [String] = []
        for shardFile in shardFiles.keys.sorted() {
            let shard: SafetensorsFile
            do {
                shard = try SafetensorsFile(path: file(shardFile))
            } catch let error as FormatError where error.code == .missingFile {
                throw FormatError(.missingFile, "\(indexPath): shard \(shardFile) is missing")
            }
            for tensor in shardFiles[shardFile, default: []] where !shard.containsTensor(named: tensor) {
                throw FormatError(
                    .tensorNotFound, "\(shard.path): no tensor '\(tensor)', which \(indexFileName) assigns to it"
                )
            }
            let assigned = Set(shardFiles[shardFile, default: []])
            for name in shard.tensorNames where assigned.contains(name) {
                shardOfTensor[name] = shards.count
                names.append(name)
            }
            shards.append(shard)
        }
        return Weights(shards: shards, shardOfTensor: shardOfTensor, names: names)
    }

    /// A shard name must stay inside the folder: no path separators, not `.` or `..`.
    private static func isPlainFileName(_ name: String) -> Bool {
        !name.isEmpty && name != "." && name != ".." && !name.contains("/") && !name.contains("\0")
    }
}
