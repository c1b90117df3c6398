import { createPinia } from 'pinia'
import { createApp } from 'vue'
import App from './App.vue'
import { detectTransport, installTransport } from './transport'
import './styles/base.css'

const app = createApp(App)
installTransport(app, detectTransport())
app.use(createPinia())
app.mount('#app')
