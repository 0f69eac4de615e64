import { Injectable } from '@nestjs/common';

@Injectable()
export class Calculator {
  add(x: number, y: number): number {
    return x + y;
  }
}
