//! Runs a host kernel (plain loops over `f32` slices) as one differentiable operation on burn's
//! CPU backend, `flex`, with or without autodiff.
//!
//! burn 0.22 exposes the backend primitive behind a `Tensor` (`try_into_primitive`, feature
//! `extension`) and lets an operation register its own backward step (`burn_autodiff`'s
//! `Backward`, `prepare` … `finish`): the same route as its own `backend_extension` examples, taken
//! directly because these kernels only exist for one backend. A flex tensor lives in host memory,
//! so a kernel reads its slices without a copy (a strided view is made contiguous first).
//!
//! Anything that is not a float tensor on `flex` (WebGPU, another dtype, an autodiff context with
//! gradient checkpointing) returns `None` before any tensor is consumed; the caller then uses its
//! tensor-op form.

use std::borrow::Cow;
use std::fmt::Debug;

use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::NoCheckpointing;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::tensor::FloatTensor;
use burn::backend::flex::FlexTensor;
use burn::backend::{Autodiff, Flex};
use burn::tensor::{DType, Device, Tensor, TensorData};

/// burn's autodiff tensor on flex (its type is only reachable through the backend's alias).
type AutodiffTensor<B> = FloatTensor<Autodiff<B>>;

/// A computation on row-major `f32` slices, with its hand-written gradient.
pub trait HostKernel<const N: usize>: Clone + Send + Sync + Debug + 'static {
    /// Shape of the output (the inputs' shapes are the kernel's own business: it was built for them).
    fn output_shape(&self) -> Vec<usize>;

    /// The output, row-major.
    fn forward(&self, inputs: [&[f32]; N]) -> Vec<f32>;

    /// Given the gradient of the loss with respect to the output, the gradient with respect to each
    /// input for which `wanted` is true (same length as that input), `None` for the others.
    fn backward(&self, inputs: [&[f32]; N], upstream: &[f32], wanted: [bool; N]) -> [Option<Vec<f32>>; N];
}

/// One input of a fused operation, as the backend holds it.
enum Primitive {
    Plain(FlexTensor),
    Autodiff(AutodiffTensor<Flex>),
}

/// Whether `device` is burn's CPU backend, the only one these kernels run on.
pub fn runs_on(device: &Device) -> bool {
    device.clone().without_autodiff() == Device::flex()
}

/// `kernel` applied to `inputs`, as a tensor of rank `D` with the gradients of `kernel.backward`;
/// `None` when the inputs are not all `f32` tensors on `flex` (nothing is consumed then: the
/// caller's tensors were cloned, which shares their storage).
pub fn apply<K, const N: usize, const D: usize>(kernel: K, inputs: [Tensor<D>; N]) -> Option<Tensor<D>>
where
    K: HostKernel<N>,
{
    apply_any(kernel, inputs.map(Input::from))
}

/// An input of any rank (the kernels take tensors of mixed ranks).
pub struct Input {
    device: Device,
    dtype: DType,
    into: Box<dyn FnOnce(bool) -> Option<Primitive>>,
}

impl<const R: usize> From<Tensor<R>> for Input {
    fn from(t: Tensor<R>) -> Self {
        let device = t.device();
        let dtype = t.dtype();
        Input {
            device,
            dtype,
            into: Box::new(move |autodiff: bool| {
                if autodiff && t.is_autodiff() {
                    t.try_into_primitive::<Autodiff<Flex>>().ok().map(Primitive::Autodiff)
                } else {
                    t.without_autodiff().try_into_primitive::<Flex>().ok().map(Primitive::Plain)
                }
            }),
        }
    }
}

/// `apply` for inputs of mixed ranks (see [`Input`]); the output has rank `D`.
pub fn apply_any<K, const N: usize, const D: usize>(kernel: K, inputs: [Input; N]) -> Option<Tensor<D>>
where
    K: HostKernel<N>,
{
    if !inputs.iter().all(|i| runs_on(&i.device) && i.dtype == DType::F32) {
        return None;
    }
    let autodiff = inputs.iter().any(|i| i.device.is_autodiff());
    let mut primitives = Vec::with_capacity(N);
    for input in inputs {
        primitives.push((input.into)(autodiff)?);
    }
    let shape = kernel.output_shape();
    if !autodiff {
        let plain: Vec<FlexTensor> = primitives.into_iter().map(|p| match p {
            Primitive::Plain(t) => t,
            Primitive::Autodiff(t) => t.into_primitive(),
        }).collect();
        let out = run_forward(&kernel, &plain, &shape);
        return Some(Tensor::from_primitive::<Flex>(out));
    }
    // Inputs without autodiff join the graph as constants (leaves that need no gradient).
    let tracked: Vec<AutodiffTensor<Flex>> = primitives.into_iter().map(|p| match p {
        Primitive::Plain(t) => AutodiffTensor::new(t),
        Primitive::Autodiff(t) => t,
    }).collect();
    let tracked: [AutodiffTensor<Flex>; N] = tracked.try_into().ok()?;
    let nodes = tracked.each_ref().map(|t| t.node());
    let plain: [FlexTensor; N] = tracked.map(|t| t.into_primitive());
    let out = run_forward(&kernel, &plain, &shape);
    let result = match KernelBackward::<K, N>(std::marker::PhantomData).prepare::<NoCheckpointing>(nodes).compute_bound().stateful() {
        OpsKind::Tracked(prep) => prep.finish(Saved { kernel, inputs: plain }, out),
        OpsKind::UnTracked(prep) => prep.finish(out),
    };
    Some(Tensor::from_primitive::<Autodiff<Flex>>(result))
}

fn run_forward<K: HostKernel<N>, const N: usize>(kernel: &K, inputs: &[FlexTensor], shape: &[usize]) -> FlexTensor {
    let slices: Vec<Cow<'_, [f32]>> = inputs.iter().map(host).collect();
    let refs: [&[f32]; N] = std::array::from_fn(|j| &*slices[j]);
    let out = kernel.forward(refs);
    FlexTensor::from_data(TensorData::new(out, shape.to_vec()))
}

/// A flex tensor's numbers in row-major order: borrowed when contiguous, copied otherwise.
fn host(t: &FlexTensor) -> Cow<'_, [f32]> {
    match t.as_slice::<f32>() {
        Some(s) => Cow::Borrowed(s),
        None => Cow::Owned(t.to_contiguous().as_slice::<f32>().map(<[f32]>::to_vec).unwrap_or_default()),
    }
}

/// What the backward step keeps: the kernel (with its sizes) and its inputs.
#[derive(Clone, Debug)]
struct Saved<K, const N: usize> {
    kernel: K,
    inputs: [FlexTensor; N],
}

#[derive(Debug)]
struct KernelBackward<K, const N: usize>(std::marker::PhantomData<K>);

impl<K: HostKernel<N>, const N: usize> Backward<Flex, N> for KernelBackward<K, N> {
    type State = Saved<K, N>;

    fn backward(self, ops: Ops<Self::State, N>, grads: &mut Gradients, _checkpointer: &mut Checkpointer) {
        let upstream = grads.consume::<Flex>(&ops.node);
        let Saved { kernel, inputs } = ops.state;
        let wanted = ops.parents.each_ref().map(Option::is_some);
        let slices: Vec<Cow<'_, [f32]>> = inputs.iter().map(host).collect();
        let refs: [&[f32]; N] = std::array::from_fn(|j| &*slices[j]);
        let gradients = kernel.backward(refs, &host(&upstream), wanted);
        for ((parent, gradient), input) in ops.parents.into_iter().zip(gradients).zip(&inputs) {
            if let (Some(node), Some(g)) = (parent, gradient) {
                let shape = input.layout().shape().clone();
                grads.register::<Flex>(node.id, FlexTensor::from_data(TensorData::new(g, shape)));
            }
        }
    }
}

/// A tensor's numbers, when it is an `f32` tensor on the CPU backend (a copy; `None` elsewhere).
pub fn host_values<const D: usize>(t: &Tensor<D>) -> Option<Vec<f32>> {
    if !runs_on(&t.device()) || t.dtype() != DType::F32 {
        return None;
    }
    let primitive = t.clone().without_autodiff().try_into_primitive::<Flex>().ok()?;
    Some(host(&primitive).into_owned())
}
