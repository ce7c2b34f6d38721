import CZeroMQ
import LightningCore

/// A CurveZMQ key pair in Z85 text (40 characters each).
public struct CurveKeyPair: Sendable, Hashable {
    public var publicKey: String
    public var secretKey: String

    public init(publicKey: String, secretKey: String) throws(ZMQError) {
        _ = try CurveKeyPair.decode(publicKey, what: "public key")
        _ = try CurveKeyPair.decode(secretKey, what: "secret key")
        self.publicKey = publicKey
        self.secretKey = secretKey
    }

    /// A fresh random key pair from libsodium.
    public static func generate() throws(ZMQError) -> CurveKeyPair {
        var publicBuffer = [CChar](repeating: 0, count: 41)
        var secretBuffer = [CChar](repeating: 0, count: 41)
        try zmqCheck(zmq_curve_keypair(&publicBuffer, &secretBuffer), "zmq_curve_keypair")
        return try CurveKeyPair(publicKey: text(publicBuffer), secretKey: text(secretBuffer))
    }

    /// The public key that belongs to a secret key.
    public static func publicKey(forSecret secretKey: String) throws(ZMQError) -> String {
        var publicBuffer = [CChar](repeating: 0, count: 41)
        try zmqCheck(zmq_curve_public(&publicBuffer, secretKey), "zmq_curve_public")
        return text(publicBuffer)
    }

    /// The 32 key bytes of a Z85 key; throws `EINVAL` for anything that is not a 40-character Z85 key.
    static func decode(_ key: String, what: String) throws(ZMQError) -> [UInt8] {
        guard key.utf8.count == 40 else { throw ZMQError(operation: "decoding the CurveZMQ \(what) (must be 40 Z85 characters)", errno: EINVAL) }
        var bytes = [UInt8](repeating: 0, count: 32)
        guard zmq_z85_decode(&bytes, key) != nil else {
            throw ZMQError(operation: "decoding the CurveZMQ \(what) (not Z85 text)", errno: EINVAL)
        }
        return bytes
    }

    private static func text(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// Server-side CurveZMQ settings: the server's key pair and the client public keys it admits.
/// An empty allow-list admits any client that knows the server's public key.
public struct CurveServerSecurity: Sendable, Hashable {
    public var serverKeys: CurveKeyPair
    public var allowedClientKeys: Set<String>

    public init(serverKeys: CurveKeyPair, allowedClientKeys: Set<String>) throws(ZMQError) {
        for key in allowedClientKeys { _ = try CurveKeyPair.decode(key, what: "allowed client key") }
        self.serverKeys = serverKeys
        self.allowedClientKeys = allowedClientKeys
    }

    func apply(to socket: ZMQSocket) throws(ZMQError) {
        try socket.setOption(ZMQ_CURVE_SERVER, Int32(1))
        try socket.setOption(ZMQ_CURVE_SECRETKEY, string: serverKeys.secretKey)
        try socket.setOption(ZMQ_ZAP_DOMAIN, string: ZAPHandler.domain)
    }
}

/// Client-side CurveZMQ settings: the server's public key and the client's own key pair.
public struct CurveClientSecurity: Sendable, Hashable {
    public var serverPublicKey: String
    public var clientKeys: CurveKeyPair

    public init(serverPublicKey: String, clientKeys: CurveKeyPair) throws(ZMQError) {
        _ = try CurveKeyPair.decode(serverPublicKey, what: "server public key")
        self.serverPublicKey = serverPublicKey
        self.clientKeys = clientKeys
    }

    func apply(to socket: ZMQSocket) throws(ZMQError) {
        try socket.setOption(ZMQ_CURVE_SERVERKEY, string: serverPublicKey)
        try socket.setOption(ZMQ_CURVE_PUBLICKEY, string: clientKeys.publicKey)
        try socket.setOption(ZMQ_CURVE_SECRETKEY, string: clientKeys.secretKey)
    }
}

/// Answers libzmq's ZAP authentication requests (RFC 27) for the CURVE mechanism: a client is admitted
/// when its public key is on the allow-list. Runs on its own socket loop; one per context, started
/// before the sockets it protects accept connections, serving all of them.
public final class ZAPHandler: Sendable {
    static let domain = "lightning"
    static let endpoint = "inproc://zeromq.zap.01"

    private let loop: SocketLoop

    /// Binds the handler; it must run before the sockets it protects accept connections.
    public init(context: ZMQContext, allowedClientKeys: Set<String>, onDecision: @escaping @Sendable (Bool, String) -> Void) throws {
        let allowed = try Set(allowedClientKeys.map { key throws(ZMQError) in try CurveKeyPair.decode(key, what: "allowed client key") })
        let loop = try SocketLoop(name: "lightning-zap")
        try loop.start(
            makeSocket: {
                let socket = try ZMQSocket(context: context, type: .router)
                try socket.bind(ZAPHandler.endpoint)
                return socket
            },
            callbacks: .init(onMessage: { [loop] frames in
                guard let reply = ZAPHandler.reply(to: frames, allowed: allowed, onDecision: onDecision) else { return }
                loop.send(reply)
            })
        )
        self.loop = loop
    }

    public func stop() { loop.stop() }

    /// The reply frames for one request: [routing id, "", version, request id, status, text, user, metadata].
    static func reply(to frames: [[UInt8]], allowed: Set<[UInt8]>, onDecision: @Sendable (Bool, String) -> Void) -> [[UInt8]]? {
        // [routing id, "", "1.0", request id, domain, address, identity, mechanism, credentials…]
        guard frames.count >= 8, frames[1].isEmpty else { return nil }
        let requestID = frames[3]
        let address = String(decoding: frames[5], as: UTF8.self)
        let mechanism = String(decoding: frames[7], as: UTF8.self)
        var admitted = false
        if mechanism == "CURVE", frames.count >= 9 {
            admitted = allowed.isEmpty || allowed.contains(frames[8])
        }
        onDecision(admitted, address)
        let status = admitted ? "200" : "400"
        let text = admitted ? "OK" : "client key not allowed"
        return [frames[0], [], Array("1.0".utf8), requestID, Array(status.utf8), Array(text.utf8), [], []]
    }
}

extension CurveClientSecurity {
    /// The client side of CurveZMQ from the store's public key and this client's secret key (Z85), as
    /// the services take them from `--curve-server-key` / `--curve-secret-key`: `nil` when neither is
    /// given (traffic in the clear), an error when only one is.
    public static func keys(server: String?, secret: String?) throws -> CurveClientSecurity? {
        guard let server, let secret else {
            if server != nil || secret != nil {
                throw LightningError(.badRequest, "CurveZMQ needs both the store's public key and this client's secret key")
            }
            return nil
        }
        let pair = try CurveKeyPair(publicKey: CurveKeyPair.publicKey(forSecret: secret), secretKey: secret)
        return try CurveClientSecurity(serverPublicKey: server, clientKeys: pair)
    }
}
