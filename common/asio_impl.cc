// The one translation unit that compiles Asio's implementation
// (ASIO_SEPARATE_COMPILATION is set on every target that links sp_asio).
#include <asio/impl/src.hpp>
#include <asio/ssl/impl/src.hpp>
