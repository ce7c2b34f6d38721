import Foundation
import LightningFormats
import LightningModel
import LightningTemplate
import LightningTokenizer

/// An open-weight model to serve: a GGUF file or a Hugging Face folder, with the tokenizer and chat
/// template it carries (or a template file given instead). Everything comes from the files'
/// metadata; whatever cannot be served is refused here, naming the file and field.
public struct OpenWeightModel: Sendable {
    public let weights: LlamaWeights
    public let text: TokenizerText
    /// The name `/v1/models` lists: GGUF `general.name`, else the file or folder name.
    public let name: String
    public let origin: String

    public static func load(path: String, chatTemplatePath: String? = nil) throws(ServeError) -> OpenWeightModel {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw ServeError(code: "model_not_found", "no model at \(path) (give a .gguf file or a Hugging Face model folder)")
        }
        let fileName = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        do {
            let weights: LlamaWeights, tokenizer: Tokenizer, embeddedTemplate: String?, name: String
            var extraStops: [Int32] = []
            if isFolder.boolValue {
                let folder = try HuggingFaceFolder(path: path)
                weights = try LlamaWeights.load(huggingFace: folder)
                guard let data = folder.tokenizerData else {
                    throw ServeError(code: "invalid_model", "\(path) has no tokenizer.json")
                }
                tokenizer = try Tokenizer(tokenizerJSON: data)
                embeddedTemplate = folder.chatTemplate()
                name = fileName
                switch folder.generationConfig?["eos_token_id"] {
                case .int(let id): extraStops = [Int32(id)]
                case .array(let ids): extraStops = ids.compactMap { if case .int(let id) = $0 { Int32(id) } else { nil } }
                default: break
                }
            } else {
                let file = try GGUFFile(path: path)
                weights = try LlamaWeights.load(gguf: file)
                tokenizer = try Tokenizer(gguf: ggufTokenizer(file.metadata, path: path))
                embeddedTemplate = file.metadata["tokenizer.chat_template"]?.string
                name = file.metadata["general.name"]?.string.map { $0.replacingOccurrences(of: " ", with: "-") } ?? fileName
            }
            let source: String
            if let chatTemplatePath {
                do { source = try String(contentsOfFile: chatTemplatePath, encoding: .utf8) } catch {
                    throw ServeError(code: "invalid_chat_template", "cannot read the chat template \(chatTemplatePath): \(error.localizedDescription)")
                }
            } else if let embeddedTemplate {
                source = embeddedTemplate
            } else {
                throw ServeError(code: "invalid_chat_template", "\(path) carries no chat template; give one with --chat-template")
            }
            let template: LightningTemplate.ChatTemplate
            do { template = try LightningTemplate.ChatTemplate(source) } catch {
                throw ServeError(code: "invalid_chat_template", "the chat template of \(chatTemplatePath ?? path) cannot be used: \(error)")
            }
            let text = try TokenizerText(tokenizer: tokenizer, template: template, modelVocabulary: weights.config.vocabularySize, extraStops: extraStops)
            let c = weights.config
            let origin = "\(path) (\(c.architecture), \(c.layers) layers, width \(c.width), \(c.heads)/\(c.kvHeads) heads, vocabulary \(c.vocabularySize), context \(c.context))"
            return OpenWeightModel(weights: weights, text: text, name: name, origin: origin)
        } catch let error as ServeError {
            throw error
        } catch let error as ModelError {
            throw ServeError(code: "invalid_model", "\(path): \(error.message)")
        } catch let error as TokenizerError {
            throw ServeError(code: "invalid_tokenizer", "\(path): \(error.message)")
        } catch {
            throw ServeError(code: "invalid_model", "\(path): \(error)")
        }
    }

    static func ggufTokenizer(_ metadata: GGUFMetadata, path: String) throws(ServeError) -> GGUFTokenizerData {
        guard let model = metadata["tokenizer.ggml.model"]?.string, let tokens = metadata["tokenizer.ggml.tokens"]?.stringArray else {
            throw ServeError(code: "invalid_tokenizer", "\(path) has no tokenizer.ggml.model and tokenizer.ggml.tokens")
        }
        return GGUFTokenizerData(
            model: model, pre: metadata["tokenizer.ggml.pre"]?.string, tokens: tokens,
            tokenTypes: metadata["tokenizer.ggml.token_type"]?.intArray,
            merges: metadata["tokenizer.ggml.merges"]?.stringArray ?? [],
            bosID: metadata["tokenizer.ggml.bos_token_id"]?.int.map(Int32.init),
            eosID: metadata["tokenizer.ggml.eos_token_id"]?.int.map(Int32.init),
            addBOS: metadata["tokenizer.ggml.add_bos_token"]?.bool)
    }
}
