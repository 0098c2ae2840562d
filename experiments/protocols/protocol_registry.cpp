// The list of registered protocols (see protocol_registry.h). A new pair: its file
// experiments/protocols/<name>.cpp and one X(<name>) line below.
#include "experiments/protocols/protocol_registry.h"

#include "tensor/error.h"

#define PROBENET_PAPER_PROTOCOLS(X) \
    X(mlp_mnist)                    \
    X(cnn_mnist)                    \
    X(cnn_fashion_mnist)            \
    X(mlp_cifar10)                  \
    X(cnn_cifar10)                  \
    X(alexnet_cifar100)             \
    X(alexnet_tiny_imagenet)

namespace probenet::experiments {

#define PROBENET_DECLARE_PROTOCOL(name) Protocol name##_protocol();
PROBENET_PAPER_PROTOCOLS(PROBENET_DECLARE_PROTOCOL)

namespace {

struct Registered {
    std::string name;
    Protocol (*make)();
};

const std::vector<Registered>& registered() {
#define PROBENET_REGISTER_PROTOCOL(name) {#name, name##_protocol},
    static const std::vector<Registered> list{PROBENET_PAPER_PROTOCOLS(PROBENET_REGISTER_PROTOCOL)};
    return list;
}

}  // namespace

const std::vector<std::string>& protocol_names() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> out;
        for (const Registered& r : registered()) out.push_back(r.name);
        return out;
    }();
    return names;
}

Protocol protocol_named(const std::string& name) {
    std::string known;
    for (const Registered& r : registered()) {
        if (r.name == name) {
            Protocol p = r.make();
            PROBENET_CHECK(p.name == name, "protocol registry: ", name, "_protocol() names itself '", p.name, "'");
            return p;
        }
        known += (known.empty() ? "" : ", ") + r.name;
    }
    throw Error("unknown pair '" + name + "'; the registered pairs are " + known);
}

}  // namespace probenet::experiments
