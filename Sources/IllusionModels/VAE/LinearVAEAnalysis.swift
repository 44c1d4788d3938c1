import Foundation

/// The linear VAE as probabilistic PCA: at its optimum the decoder's columns span the principal
/// subspace of the data (Tipping & Bishop 1999; Lucas et al. 2019). This measures how close a
/// trained model is, as principal angles between span(decoder columns) and PCA's top-D components.
public enum LinearVAEAnalysis {
    /// Principal angles (radians, ascending) between the decoder's column space and the top
    /// `latentDim` principal components of `data` (up to `limit` images).
    public static func principalAngles(_ model: VariationalAutoencoder, data: ImageDataset, limit: Int = 10000) throws -> [Double] {
        guard model.config.architecture == .linear, let dense = model.decoder.layers.first as? Dense else {
            throw ModelError.invalidArgument("principal angles are defined for the linear VAE only")
        }
        let n = min(limit, data.count), d = data.imageSize, k = model.config.latentDim
        let x = data.floatImages(at: Array(0..<n))
        let pca = PrincipalComponents(data: x.storage, rows: n, columns: d, k: k)
        // weight [d, k]: column c is the image-space direction of latent c
        let columns = (0..<k).map { c in (0..<d).map { Double(dense.weight.storage[$0 * k + c]) } }
        return PrincipalComponents.principalAngles(pca.components, columns)
    }
}
