// cuDNN convolutions (contracts, algorithm choice and math mode in cudnn_conv.h).
#include "tensor/cuda/cudnn_conv.h"

#include <climits>
#include <vector>

#include "tensor/cuda/cuda_check.h"
#include "tensor/error.h"

namespace probenet::cuda_detail {

namespace {

std::string geometry_str(const Conv2dGeometry& g) {
    return detail::concat("x ", shape_str(g.input_shape()), ", w ", shape_str(g.filter_shape()), ", stride ",
                          g.stride_h, ", padding ", g.pad_h);
}

int as_int(int64_t v, const Conv2dGeometry& g) {
    PROBENET_CHECK(v <= INT_MAX, "cuda conv2d: extent ", v, " exceeds cuDNN's 32-bit int (", geometry_str(g),
                   "); use a smaller batch");
    return static_cast<int>(v);
}

// A workspace from the caching allocator for the length of one call (stream order makes the
// immediate return safe).
class Workspace {
public:
    Workspace(CachingDeviceAllocator& allocator, size_t bytes)
        : allocator_(allocator), bytes_(bytes), ptr_(allocator.allocate(bytes)) {}
    ~Workspace() { allocator_.deallocate(ptr_, bytes_); }
    Workspace(const Workspace&) = delete;
    Workspace& operator=(const Workspace&) = delete;
    void* ptr() const { return ptr_; }
    size_t bytes() const { return bytes_; }

private:
    CachingDeviceAllocator& allocator_;
    size_t bytes_;
    void* ptr_;
};

// The first usable, non-tensor-core algorithm whose workspace fits (perfs come best first).
template <typename Perf>
const Perf& choose(const std::vector<Perf>& perfs, int returned, const char* direction, const Conv2dGeometry& g) {
    for (int i = 0; i < returned; ++i) {
        const Perf& p = perfs[static_cast<size_t>(i)];
        if (p.status == CUDNN_STATUS_SUCCESS && p.mathType != CUDNN_TENSOR_OP_MATH &&
            p.memory <= CudnnConv::kMaxWorkspace)
            return p;
    }
    throw Error(detail::concat("cuda conv2d ", direction, ": cuDNN offers no FP32 algorithm with a workspace under ",
                               CudnnConv::kMaxWorkspace >> 20, " MiB for ", geometry_str(g)));
}

// Fills `chosen` on first use for one direction: cuDNN's ranked list (`rank`, a
// cudnnGet*Algorithm_v7 call, up to `max_count` entries), the pick of choose(), and that algorithm's
// workspace size (`size`, the matching cudnnGet*WorkspaceSize). Each direction's pair takes the same
// four descriptors in the same order, passed here as a, b, conv, c. Later calls return at once.
template <typename Perf, typename Algo, typename A, typename B, typename C>
void choose_once(CudnnConv::Chosen<Algo>& chosen, cudnnHandle_t h, cudnnStatus_t (*max_count)(cudnnHandle_t, int*),
                 cudnnStatus_t (*rank)(cudnnHandle_t, A, B, cudnnConvolutionDescriptor_t, C, int, int*, Perf*),
                 cudnnStatus_t (*size)(cudnnHandle_t, A, B, cudnnConvolutionDescriptor_t, C, Algo, size_t*), A a, B b,
                 cudnnConvolutionDescriptor_t conv, C c, const char* direction, const Conv2dGeometry& g) {
    if (chosen.done) return;
    int max = 0, returned = 0;
    CUDNN_CHECK(max_count(h, &max));
    std::vector<Perf> perfs(static_cast<size_t>(max));
    CUDNN_CHECK(rank(h, a, b, conv, c, max, &returned, perfs.data()));
    chosen.algo = choose(perfs, returned, direction, g).algo;
    CUDNN_CHECK(size(h, a, b, conv, c, chosen.algo, &chosen.bytes));
    chosen.done = true;
}

constexpr float kOne = 1.0f, kZero = 0.0f;

}  // namespace

CudnnConv::Plan::~Plan() {  // nothing to report to from a destructor
    if (x) cudnnDestroyTensorDescriptor(x);
    if (y) cudnnDestroyTensorDescriptor(y);
    if (bias) cudnnDestroyTensorDescriptor(bias);
    if (w) cudnnDestroyFilterDescriptor(w);
    if (conv) cudnnDestroyConvolutionDescriptor(conv);
}

CudnnConv::Plan& CudnnConv::plan(const Conv2dGeometry& g) {
    const std::array<int64_t, 11> key{g.N, g.C, g.H, g.W, g.O, g.kh, g.kw, g.stride_h, g.stride_w, g.pad_h, g.pad_w};
    auto it = plans_.find(key);
    if (it != plans_.end()) return *it->second;

    for (int64_t numel : {g.N * g.C * g.H * g.W, g.N * g.O * g.Ho * g.Wo, g.O * g.C * g.kh * g.kw}) as_int(numel, g);
    auto p = std::make_unique<Plan>();
    CUDNN_CHECK(cudnnCreateTensorDescriptor(&p->x));
    CUDNN_CHECK(cudnnCreateTensorDescriptor(&p->y));
    CUDNN_CHECK(cudnnCreateTensorDescriptor(&p->bias));
    CUDNN_CHECK(cudnnCreateFilterDescriptor(&p->w));
    CUDNN_CHECK(cudnnCreateConvolutionDescriptor(&p->conv));
    CUDNN_CHECK(cudnnSetTensor4dDescriptor(p->x, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, as_int(g.N, g), as_int(g.C, g),
                                           as_int(g.H, g), as_int(g.W, g)));
    CUDNN_CHECK(cudnnSetTensor4dDescriptor(p->y, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, as_int(g.N, g), as_int(g.O, g),
                                           as_int(g.Ho, g), as_int(g.Wo, g)));
    CUDNN_CHECK(cudnnSetTensor4dDescriptor(p->bias, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, 1, as_int(g.O, g), 1, 1));
    CUDNN_CHECK(cudnnSetFilter4dDescriptor(p->w, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NCHW, as_int(g.O, g), as_int(g.C, g),
                                           as_int(g.kh, g), as_int(g.kw, g)));
    CUDNN_CHECK(cudnnSetConvolution2dDescriptor(p->conv, as_int(g.pad_h, g), as_int(g.pad_w, g), as_int(g.stride_h, g),
                                                as_int(g.stride_w, g), 1, 1, CUDNN_CROSS_CORRELATION,
                                                CUDNN_DATA_FLOAT));
    CUDNN_CHECK(cudnnSetConvolutionMathType(p->conv, CUDNN_FMA_MATH));
    int n = 0, c = 0, h = 0, w = 0;
    CUDNN_CHECK(cudnnGetConvolution2dForwardOutputDim(p->conv, p->x, p->w, &n, &c, &h, &w));
    PROBENET_CHECK(n == g.N && c == g.O && h == g.Ho && w == g.Wo, "cuda conv2d: cuDNN computes an output of (", n,
                   ", ", c, ", ", h, ", ", w, ") but the geometry says ", shape_str(g.output_shape()), " for ",
                   geometry_str(g));
    return *plans_.emplace(key, std::move(p)).first->second;
}

void CudnnConv::forward(const Conv2dGeometry& g, const float* x, const float* w, const float* bias, float* y) {
    Plan& p = plan(g);
    cudnnHandle_t h = handle_.get();
    choose_once(p.fwd, h, cudnnGetConvolutionForwardAlgorithmMaxCount, cudnnGetConvolutionForwardAlgorithm_v7,
                cudnnGetConvolutionForwardWorkspaceSize, p.x, p.w, p.conv, p.y, "forward", g);
    Workspace ws(allocator_, p.fwd.bytes);
    CUDNN_CHECK(
        cudnnConvolutionForward(h, &kOne, p.x, x, p.w, w, p.conv, p.fwd.algo, ws.ptr(), ws.bytes(), &kZero, p.y, y));
    if (bias) CUDNN_CHECK(cudnnAddTensor(h, &kOne, p.bias, bias, &kOne, p.y, y));
}

void CudnnConv::backward_data(const Conv2dGeometry& g, const float* dy, const float* w, float beta, float* dx) {
    Plan& p = plan(g);
    cudnnHandle_t h = handle_.get();
    choose_once(p.bwd_data, h, cudnnGetConvolutionBackwardDataAlgorithmMaxCount,
                cudnnGetConvolutionBackwardDataAlgorithm_v7, cudnnGetConvolutionBackwardDataWorkspaceSize, p.w, p.y,
                p.conv, p.x, "backward data", g);
    Workspace ws(allocator_, p.bwd_data.bytes);
    CUDNN_CHECK(cudnnConvolutionBackwardData(h, &kOne, p.w, w, p.y, dy, p.conv, p.bwd_data.algo, ws.ptr(), ws.bytes(),
                                             &beta, p.x, dx));
}

void CudnnConv::backward_filter(const Conv2dGeometry& g, const float* x, const float* dy, float beta, float* dw) {
    Plan& p = plan(g);
    cudnnHandle_t h = handle_.get();
    choose_once(p.bwd_filter, h, cudnnGetConvolutionBackwardFilterAlgorithmMaxCount,
                cudnnGetConvolutionBackwardFilterAlgorithm_v7, cudnnGetConvolutionBackwardFilterWorkspaceSize, p.x,
                p.y, p.conv, p.w, "backward filter", g);
    Workspace ws(allocator_, p.bwd_filter.bytes);
    CUDNN_CHECK(cudnnConvolutionBackwardFilter(h, &kOne, p.x, x, p.y, dy, p.conv, p.bwd_filter.algo, ws.ptr(),
                                               ws.bytes(), &beta, p.w, dw));
}

void CudnnConv::backward_bias(const Conv2dGeometry& g, const float* dy, float beta, float* db) {
    Plan& p = plan(g);
    CUDNN_CHECK(cudnnConvolutionBackwardBias(handle_.get(), &kOne, p.y, dy, &beta, p.bias, db));
}

}  // namespace probenet::cuda_detail
