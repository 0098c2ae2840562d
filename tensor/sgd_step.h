// One parameter's SGD step as a kernel can apply it to gradient values it has just summed, still in
// registers, instead of handing them to an optimizer callback (Backend::linear_backward_with_update):
// the same arithmetic per element as Backend::sgd_update (PyTorch's torch.optim.SGD), with
//   d = g + weight_decay·p;  buf = first ? d : momentum·buf + (1 − dampening)·d  (momentum ≠ 0 only);
//   d = nesterov ? d + momentum·buf : buf;  p = p − lr·d.
// param and momentum_buf (null when momentum = 0) are the whole parameter's storage, indexed like it.
#pragma once

namespace probenet {

struct SgdStep {
    float* param = nullptr;
    float* momentum_buf = nullptr;
    float lr = 0.0f, momentum = 0.0f, dampening = 0.0f, weight_decay = 0.0f;
    bool nesterov = false;
    bool first = false;  // the first step of this parameter: buf = d
};

}  // namespace probenet
