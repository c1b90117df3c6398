export { MotionService, rgbPng, type FrameSource, type FlowRequest, type MagnifyRequest, type SpotRequest } from './motion-service'
export { registerMotionRoutes } from './routes'
